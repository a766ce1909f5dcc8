/**
 * Where the runbook does not do what the plan's words say, because those
 * words would fail on the real fleet or risk it, each with the reason. Shown
 * in the sign-off and in the README's table (a test holds the two together).
 */
export interface Departure {
  section: string
  plan: string
  runbook: string
  why: string
}

export const DEPARTURES: Departure[] = [
  {
    section: '§1.1, §2.5, phase 3',
    plan: 'git pull && sudo nixos-rebuild switch --flake .#HOST',
    runbook: "git pull --ff-only && sudo -n nixos-rebuild switch --flake '.#<flake_attr>'",
    why: 'a diverged checkout stops instead of merging a configuration nobody reviewed; sudo never waits at a password prompt, it fails at once naming the host',
  },
  {
    section: '§1.1',
    plan: 'home-manager switch --flake ".#mba@imac0"',
    runbook:
      "home-manager switch --flake '.#<hm_attr>' with the inventory's attribute (markus@imac0), the per-user, user and default Nix profiles first on its PATH",
    why: 'the attribute the plan typed is not the one nixcfg defines for imac0; over SSH home-manager is on the PATH only if the login shell adds it',
  },
  {
    section: '§1.1, §1.3 (macOS)',
    plan: 'launchctl list | grep nixfleet',
    runbook:
      "launchctl print gui/$(id -u)/com.nixfleet.agent: stopped means not loaded in the user's GUI domain",
    why: "over SSH the session is not the user's GUI session: launchctl list does not show the LaunchAgent even while it runs, so the plan's check would pass with the agent running",
  },
  {
    section: 'every remote command',
    plan: 'ssh HOST "<command>"',
    runbook:
      "the command runs under exec sh -c '…' (base64-carried) and is trusted only with the marker sh prints",
    why: "the fleet user's login shell is fish, which does not run POSIX commands (fish exits 0 on `$$` with empty output)",
  },
  {
    section: '§1.2',
    plan: 'cd ~/docker/nixfleet && docker compose down',
    runbook:
      "the v1 container found with docker inspect (the one whose Traefik rule serves the dashboard's name, outside the main stack), its compose project and data volume recorded, then docker stop of exactly that container",
    why: "on csb1 v1 runs from docker/docker-compose.csb1.yml (project docker): the checkout's root compose file is the generic example, so the plan's down stops nothing; a stopped container keeps its volume and stays down after a reboot, ready for the rollback",
  },
  {
    section: '§1.2',
    plan: 'cp data/nixfleet.db data/nixfleet.db.v1-backup-$(date +%Y%m%d)',
    runbook:
      "SQLite's backup of /data/nixfleet.db in v1's named volume, run in v1's own image with v1 stopped, written to the plan's name in the checkout; read back and kept only when integrity_check is ok and every table's row count equals the source's; never over an existing backup",
    why: 'there is no data/nixfleet.db on csb1 (the database is in the volume), and a copy of a SQLite file can miss what its write-ahead log holds',
  },
  {
    section: '§1.3 (as executed)',
    plan: 'mv ~/docker/nixfleet ~/docker/!archiv/nixfleet-v1-$(date +%Y%m%d)',
    runbook:
      'cp -a of the checkout to the archive name (made under a temporary name, then renamed); an earlier archive is kept',
    why: "v2 is built from the same checkout (build: ./nixfleet/v2) and the rollback needs v1's files where they were",
  },
  {
    section: '§2.3',
    plan: 'git pull',
    runbook:
      "git fetch, then git checkout --detach of the inventory's dashboard.revision (refused when unknown to the remote or when tracked files changed); v2/Dockerfile must be there",
    why: "git pull builds whatever main holds that minute; the dashboard is a pin of its own, separate from the agents' flake.lock",
  },
  {
    section: '§2.3',
    plan: 'docker compose build && docker compose up -d (in ~/docker/nixfleet)',
    runbook:
      "the executed plan's v2 service (build ./nixfleet/v2, env file, volume nixfleet_data, Traefik labels, wget healthcheck) added to ~/docker/docker-compose.yml, checked by docker compose config before it replaces the file (old one kept); then docker compose build nixfleet and up -d nixfleet in ~/docker only; no container_name, and the env file by absolute path",
    why: "the checkout's root compose file builds v1 at every revision of the day; the stopped v1 container keeps the name nixfleet; not every Compose expands ~ in env_file",
  },
  {
    section: '§2.3 (executed plan §2.4)',
    plan: 'cat ~/docker/nixfleet/.env, then write ~/secrets/nixfleet.env by hand',
    runbook:
      "when ~/secrets/nixfleet.env is absent, it is written on csb1 from the v1 container's environment (PASSWORD_HASH, TOTP_SECRET kept; API_TOKEN → AGENT_TOKEN; a new SESSION_SECRET from csb1's /dev/urandom), mode 600; an existing file is kept and must hold every variable v2 requires",
    why: 'values never leave csb1 and never pass through a terminal; v2 refuses to start without PASSWORD_HASH, SESSION_SECRET and AGENT_TOKEN',
  },
  {
    section: '§2.4',
    plan: 'sudo reboot',
    runbook:
      "sudo -n systemctl reboot, only after a healthy 2.3 deploy and only when the firewall of the configuration csb1 boots (nixcfg at its checkout's commit, evaluated) opens the port SSH reaches it on; once per deployed container (STEPS=2.4 repeats it); the new boot proven by its boot identity",
    why: "a reboot cannot mend a failed deploy, only hide it; on the day csb1's firewall lacked 2222 and SSH was refused after the reboot (fixed in nixcfg 72476e79); a re-run after success must not reboot the dashboard host again",
  },
  {
    section: '§2.6',
    plan: 'sudo reboot (gpc0); "Restart the Mac" (mba-mbp-work)',
    runbook:
      "only after the host's 2.5 switch succeeded: gpc0 rebooted over SSH (sudo -n, checked first with sudo -n true) when the firewall it boots opens its SSH port; the Mac's restart a person's step (inventory reboot: person), printed with what the run waits for and its deadline, the new boot then seen over SSH; once per rolled-out nixcfg commit (STEPS=2.6 repeats it)",
    why: 'a host whose rollout failed keeps its reason instead of being rebooted; a restarted Mac with FileVault waits at the unlock screen, without SSH, until someone logs in, so a reboot sent over SSH would leave the run waiting for nobody',
  },
  {
    section: '§2.5',
    plan: 'update flake.nix, modules/nixos.nix, modules/home-manager.nix in nixfleet for v2',
    runbook:
      "nixcfg's flake.lock pins the nixfleet input to the inventory's revision (nix flake lock --override-input), default e5798044ddd69d2782a9a55d8c59910cc736710a",
    why: "the agents' module comes from the pinned nixfleet revision; 3999ab9, pinned on the day, lacked fixes the agents needed",
  },
  {
    section: '§2.5',
    plan: 'services.nixfleet-agent = { enable = true; url = "wss://fleet.barta.cm/ws"; … }',
    runbook:
      'the v2 block written from the inventory, with v1-only options (location, deviceType, themeColor) removed; every file judged by the Nix parser before any is written',
    why: 'the v2 module rejects the v1-only options, so the host would not build',
  },
  {
    section: 'Rollback: v2 dashboard',
    plan: 'docker compose down; git checkout HEAD~1; cp data/nixfleet.db.v1-backup-* data/nixfleet.db; docker compose build; docker compose up -d',
    runbook:
      "the newest backup verified (sha256, integrity_check, v1 tables) and the stopped v1 container found before anything stops; docker compose rm -s -f nixfleet in ~/docker and the service taken out of its compose file; checkout of the parent of the first commit that added v2/; the backup restored into v1's volume (what was there moved aside, never overwritten); docker start of the v1 container",
    why: "in ~/docker docker compose down would stop Traefik and every neighbour; HEAD~1 is v1 only when v2 is exactly one commit ahead; v1's database lives in its volume, and its image and container are still there",
  },
  {
    section: 'Success Criteria',
    plan: 'Commands work (pull, switch)',
    runbook:
      'pull and switch are sent only with MIGRATION_SEND_COMMANDS=1; otherwise the check is skipped with that reason',
    why: 'the success criteria are a status check; sending switch changes hosts',
  },
]
