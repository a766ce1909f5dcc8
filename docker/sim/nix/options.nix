# services.nixfleet-agent options as the nixfleet flake declared them, per
# module version (fleet reference §2.3, NixFleet reference §5.1). A host file
# setting an option its pinned module does not declare fails like NixOS does.
let
  inherit (builtins) isBool isString isInt typeOf elem match substring concatStringsSep map;
  t = {
    bool = { name = "boolean"; check = isBool; };
    str = { name = "string"; check = isString; };
    interval = { name = "integer between 1 and 3600 (both inclusive)"; check = v: isInt v && v >= 1 && v <= 3600; };
    enum = vals: { name = "one of ${concatStringsSep ", " (map (v: "\"${v}\"") vals)}"; check = v: elem v vals; };
    path = { name = "path"; check = v: typeOf v == "path" || (isString v && substring 0 1 v == "/"); };
    absStr = { name = "string"; check = v: isString v && substring 0 1 v == "/"; };
    nullOrPath = { name = "null or path"; check = v: v == null || typeOf v == "path" || (isString v && substring 0 1 v == "/"); };
    color = { name = "string matching the pattern #[0-9a-fA-F]{6}"; check = v: isString v && match "#[0-9a-fA-F]{6}" v != null; };
  };
  common = {
    enable = { type = t.bool; default = false; };
    url = { type = t.str; default = ""; };
    configRepo = { type = t.str; default = ""; };
    repoUrl = { type = t.str; default = ""; };
    branch = { type = t.str; default = "main"; };
    interval = { type = t.interval; default = 30; };
    version = { type = t.str; default = "unknown"; };
  };
  v1Only = {
    location = { type = t.enum [ "cloud" "home" "work" "office" "mobile" "other" ]; default = "other"; };
    deviceType = { type = t.enum [ "server" "desktop" "laptop" "gaming" "vm" "container" "other" ]; default = "other"; };
    themeColor = { type = t.color; default = "#769ff0"; };
  };
  v2Only = {
    logLevel = { type = t.enum [ "debug" "info" "warn" "error" ]; default = "info"; };
  };
  nixosOnly = {
    tokenFile = { type = t.path; };
    user = { type = t.str; };
    sshKeyFile = { type = t.nullOrPath; default = null; };
  };
  hmOnly = {
    tokenFile = { type = t.absStr; };
    sshKeyFile = { type = t.nullOrPath; default = null; };
  };
in
{
  nixos = { v1 = common // v1Only // nixosOnly; v2 = common // v2Only // nixosOnly; };
  home = { v1 = common // v1Only // hmOnly; v2 = common // v2Only // hmOnly; };
}
