export type Platform = 'slack' | 'discord' | 'console' | 'cli';

/** Who asked, from where. Built by each adapter; the command layer never sees platform SDK objects. */
export interface Invocation {
  platform: Platform;
  userId: string;
  userName?: string;
  /** Platform channel id (console/CLI: 'console'). */
  channelId: string;
  isAdmin: boolean;
}
