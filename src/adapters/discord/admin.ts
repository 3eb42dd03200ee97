/** What decides whether a Discord member is a corrwatch admin. */
export interface DiscordMemberInfo {
  userId: string;
  roleIds: string[];
  roleNames: string[];
  /** Manage Server (or Administrator) in this server. */
  canManageGuild: boolean;
}

/**
 * Admins: members with Manage Server, members holding a role listed in `admins.discord.roles` (by id or by
 * name, names compared case-insensitively), and the users in `admins.discord.users`. Checked on every admin
 * command and button, whatever Discord's own command permissions say (server owners can change those).
 */
export function isDiscordAdmin(who: DiscordMemberInfo, admins: { roles: string[]; users: string[] }): boolean {
  if (who.canManageGuild) return true;
  if (admins.users.includes(who.userId)) return true;
  const wanted = new Set(admins.roles.map((r) => r.toLowerCase()));
  return who.roleIds.some((id) => wanted.has(id)) || who.roleNames.some((n) => wanted.has(n.toLowerCase()));
}
