/** What the orchestrator hands each simulated machine (as /etc/runbook-sim/host.json). */
export interface HostProvisioning {
  hostname: string
  role: 'nixos' | 'macos' | 'gateway'
  sshPort: number
  hostKey: { type: string; private: string; public: string }
  users: {
    name: string
    uid: number
    home: string
    sudo: boolean
    shell: string
    authorizedKeys: string[]
    /** Only a jump account: port forwarding, no commands. */
    forwardOnly?: boolean
    /** For a jump account: the only `host:port` destinations it may open (sshd PermitOpen). */
    permitOpen?: string[]
    groups?: string[]
  }[]
  /** The nixcfg working copy on the host, cloned on first boot. */
  checkout?: { user: string; path: string; repoUrl: string; branch: string }
  files: {
    path: string
    content: string
    mode: string
    owner: string
    encoding?: 'utf8' | 'base64'
    /** Written on first boot only: afterwards the file is the machine's own (an operator's env file). */
    firstBootOnly?: boolean
  }[]
  /** Brings a fresh host to its deployed state on first boot (the configuration it was running). */
  deploy?: { user: string; command: string[] }
  /** Commands run as root after the first deployment (csb1: its Docker stacks). */
  firstBoot?: string[]
  /** The rehearsal's certificate authority, trusted system-wide. */
  caCert?: string
}
