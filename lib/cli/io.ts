/** Where a command writes and what it may read; injected so tests run commands in-process. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM: long-running commands (watch, demo) stop cleanly. */
  readonly signal: AbortSignal;
}
