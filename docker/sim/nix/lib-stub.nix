# Just enough of nixpkgs.lib for host files to evaluate: the module-system
# wrappers keep their meaning (mkIf, mkForce, mkDefault, mkMerge) so the
# evaluator can resolve them the way the module system would.
rec {
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkDefault = mkOverride 1000;
  mkForce = mkOverride 50;
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkEnableOption = name: { _type = "option"; description = name; };
  optionals = c: l: if c then l else [ ];
  optionalAttrs = c: a: if c then a else { };
  optional = c: x: if c then [ x ] else [ ];
  mkOption = attrs: attrs // { _type = "option"; };
  types = { };
  concatStringsSep = builtins.concatStringsSep;
  attrValues = builtins.attrValues;
  filterAttrs = pred: set: builtins.listToAttrs (builtins.concatMap (n: if pred n set.${n} then [ { name = n; value = set.${n}; } ] else [ ]) (builtins.attrNames set));
  nixosSystem = args: { _type = "nixosSystem"; inherit (args) modules; specialArgs = args.specialArgs or { }; };
}
