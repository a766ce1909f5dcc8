# Evaluates a host's services.nixfleet-agent the way nixos-rebuild / home-manager
# would see it: the flake's outputs are evaluated with stub inputs, the host's
# modules are imported (following `imports`), definitions are merged, unknown
# options and type errors fail with NixOS's messages, defaults are applied.
#
#   nix-instantiate --eval --strict --json eval-agent.nix \
#     --arg flakeDir /home/mba/Code/nixcfg --argstr attr gpc0 --argstr kind nixos --argstr moduleVersion v1
{ flakeDir, attr, kind, moduleVersion }:
let
  inherit (builtins) typeOf isAttrs isFunction isList attrNames hasAttr concatMap filter foldl' toJSON functionArgs intersectAttrs length head sort elem toString;
  lib = import ./lib-stub.nix;
  options = (import ./options.nix).${kind}.${moduleVersion};
  optPath = "services.nixfleet-agent";
  src = toString flakeDir;

  stubPkgs = { lib = lib; system = "x86_64-linux"; };
  homeManagerLib = { homeManagerConfiguration = args: { _type = "homeConfiguration"; inherit (args) modules; extraSpecialArgs = args.extraSpecialArgs or { }; }; };
  # pbek/nixcfg's hokage (every server imports it) is not among the sources this
  # simulation was read from. What the fleet shows of its SSH firewall: the hosts
  # reached on 22 answer with the firewall on, while csb1 (SSH on 2222, 2222 not
  # in allowedTCPPorts at nixcfg 9021575c) refused SSH after its reboot until
  # 72476e79 listed 2222 ("Port 2222 was missing from allowedTCPPorts"). So
  # openssh does not open its own ports here; the default 22 is open.
  hokage = { services.openssh.openFirewall = false; networking.firewall.allowedTCPPorts = [ 22 ]; };
  stubInput = name: {
    outPath = "/nix/store/00000000000000000000000000000000-${name}-source";
    shortRev = "0000000";
    lib = lib // homeManagerLib;
    nixosModules = { default = { }; nixfleet-agent = { }; inherit hokage; home-manager = { }; age = { }; } // { ${name} = { }; };
    homeManagerModules = { default = { }; nixfleet-agent = { }; } // { ${name} = { }; };
    overlays = { default = final: prev: { }; };
    packages = { x86_64-linux = { }; x86_64-darwin = { }; };
    legacyPackages = { x86_64-linux = stubPkgs; x86_64-darwin = stubPkgs; };
  };
  flake = import (flakeDir + "/flake.nix");
  inputNames = attrNames (functionArgs flake.outputs);
  inputs = foldl' (acc: n: acc // { ${n} = stubInput n; }) { } (filter (n: n != "self") inputNames)
    // { self = { outPath = flakeDir; }; nixpkgs = (stubInput "nixpkgs") // { lib = lib; legacyPackages = { x86_64-linux = stubPkgs; x86_64-darwin = stubPkgs; }; }; };
  outputs = flake.outputs inputs;

  set = if kind == "nixos" then "nixosConfigurations" else "homeConfigurations";
  configs = outputs.${set} or { };
  entry = if hasAttr attr configs then configs.${attr}
    else throw "flake 'git+file://${src}' does not provide attribute '${set}.${attr}'";
  specialArgs = (entry.specialArgs or { }) // (entry.extraSpecialArgs or { });

  moduleArgs = { config = { }; options = { }; pkgs = stubPkgs; lib = lib; modulesPath = "/nix/store/modules"; osConfig = { }; } // { inherit inputs; } // specialArgs;

  # A module is a path (imported), a function (called), or an attrset.
  load = file: m:
    if typeOf m == "path" then load (toString m) (import m)
    else if isFunction m then load file (m (intersectAttrs (functionArgs m) moduleArgs // (if (functionArgs m) == { } then moduleArgs else { })))
    else if isAttrs m then [ { inherit file; value = m; } ] ++ concatMap (i: load (if typeOf i == "path" then toString i else file) i) (m.imports or [ ])
    else [ ];
  modules = concatMap (m: load (if typeOf m == "path" then toString m else "<flake input>") m) entry.modules;

  # Definitions of services.nixfleet-agent.<name>, from both spellings
  # (`services.nixfleet-agent.enable = …` and `services.nixfleet-agent = { … }` are the same attrset in Nix).
  defsOf = m: let s = m.value.services or { }; in
    if hasAttr "nixfleet-agent" s then
      let block = s.nixfleet-agent; in
      if isAttrs block && (block._type or "") == "if" then
        (if block.condition then map (n: { name = n; file = m.file; value = block.content.${n}; }) (attrNames block.content) else [ ])
      else map (n: { name = n; file = m.file; value = block.${n}; }) (attrNames block)
    else [ ];
  defs = concatMap defsOf modules;

  showValue = v: if typeOf v == "path" then toString v else toJSON v;
  unwrap = d:
    let v = d.value; in
    if isAttrs v && (v._type or "") == "override" then d // { value = v.content; priority = v.priority; }
    else if isAttrs v && (v._type or "") == "if" then (if v.condition then unwrap (d // { value = v.content; }) else d // { absent = true; })
    else d // { priority = 100; };
  resolved = filter (d: !(d.absent or false)) (map unwrap defs);

  unknown = filter (d: !(hasAttr d.name options)) resolved;
  unknownError = d: "The option `${optPath}.${d.name}' does not exist. Definition values:\n       - In `${d.file}': ${showValue d.value}";

  valueOf = name:
    let
      ds = filter (d: d.name == name) resolved;
      best = foldl' (a: d: if a == null || d.priority < a.priority then d else a) null ds;
      sameTop = filter (d: d.priority == best.priority) ds;
    in
    if ds == [ ] then null
    else if length sameTop > 1 && !(foldl' (ok: d: ok && d.value == (head sameTop).value) true sameTop) then
      throw "The option `${optPath}.${name}' has conflicting definition values:\n${builtins.concatStringsSep "\n" (map (d: "       - In `${d.file}': ${showValue d.value}") sameTop)}"
    else best;

  checked = name:
    let d = valueOf name; o = options.${name}; in
    if d == null then (if hasAttr "default" o then { set = false; value = o.default; } else { set = false; missing = true; })
    else if !(o.type.check d.value) then
      throw "A definition for option `${optPath}.${name}' is not of type `${o.type.name}'. Definition values:\n       - In `${d.file}': ${showValue d.value}"
    else { set = true; value = if typeOf d.value == "path" then toString d.value else d.value; file = d.file; };

  values = foldl' (acc: n: acc // { ${n} = checked n; }) { } (attrNames options);
  enabled = values.enable.value;
  missing = filter (n: values.${n}.missing or false) (attrNames values);
  assertions =
    (if values.url.value == "" then [ "services.nixfleet-agent.url must be set" ] else [ ])
    ++ (if (values.configRepo.value != "") == (values.repoUrl.value != "") then [ "services.nixfleet-agent: set exactly one of configRepo or repoUrl" ] else [ ]);
  result =
    if unknown != [ ] then throw (unknownError (head unknown))
    else if !enabled then { enable = false; }
    else if missing != [ ] then throw "The option `${optPath}.${head missing}' is used but not defined."
    else if assertions != [ ] then throw "\nFailed assertions:\n${builtins.concatStringsSep "\n" (map (a: "- ${a}") assertions)}"
    else foldl' (acc: n: acc // { ${n} = values.${n}.value; }) { } (filter (n: !(values.${n}.missing or false)) (attrNames values));

  # The firewall the configuration applies at boot, as NixOS computes it: the
  # host's networking.firewall, plus services.openssh.ports when openssh's
  # openFirewall is on (NixOS's default). A wrapper (mkIf, mkForce, mkDefault)
  # keeps its meaning; list definitions of the winning priority are joined.
  plain = v: if isAttrs v && (v._type or "") == "override" then plain v.content
    else if isAttrs v && (v._type or "") == "if" then (if v.condition then plain v.content else null)
    else v;
  prio = v: if isAttrs v && (v._type or "") == "override" then v.priority else 100;
  at = path: v:
    if v == null then null
    else if path == [ ] then v
    else let p = plain v; in
      if isAttrs p && hasAttr (head path) p then at (builtins.tail path) p.${head path} else null;
  defsAt = path: filter (v: v != null && plain v != null) (map (m: at path m.value) modules);
  winners = ds: let top = foldl' (a: d: if prio d < a then prio d else a) 10000 ds; in filter (d: prio d == top) ds;
  scalarAt = path: default: let ds = winners (defsAt path); in if ds == [ ] then default else plain (head ds);
  listAt = path: default: let ds = winners (defsAt path); in if ds == [ ] then default else concatMap plain ds;
  sshPorts = listAt [ "services" "openssh" "ports" ] [ 22 ];
  uniqueSorted = l: sort (a: b: a < b) (builtins.attrValues (builtins.listToAttrs (map (p: { name = toString p; value = p; }) l)));
  firewall = {
    enable = scalarAt [ "networking" "firewall" "enable" ] true;
    tcp = uniqueSorted (listAt [ "networking" "firewall" "allowedTCPPorts" ] [ ]
      ++ (if scalarAt [ "services" "openssh" "openFirewall" ] true then sshPorts else [ ]));
    ranges = listAt [ "networking" "firewall" "allowedTCPPortRanges" ] [ ];
    inherit sshPorts;
  };
in
builtins.deepSeq result {
  inherit moduleVersion kind attr;
  firewall = if kind == "nixos" then firewall else null;
  files = sort (a: b: a < b) (builtins.attrNames (builtins.listToAttrs (map (d: { name = d.file; value = true; }) resolved)));
  agent = result;
}
