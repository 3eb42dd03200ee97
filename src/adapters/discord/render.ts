import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed, type APIEmbedField } from 'discord.js';
import { attachmentTooLarge } from '../../domain/attachment.js';
import type { Reply, ReplyAction } from '../../domain/reply.js';
import { markedTitle, SEVERITY_STYLE } from '../../domain/severity.js';
import { clampText } from '../../render/clamp.js';
import { clampMarkdown, nonEmpty } from './clamp.js';
import { DISCORD_LIMITS as L } from './limits.js';

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

export interface DiscordFile {
  attachment: Buffer;
  name: string;
  /** Alt text. */
  description?: string;
}

/** A message as discord.js takes it (`editReply`, `channel.send`), within DISCORD_LIMITS. */
export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  files?: DiscordFile[];
  components?: ButtonRow[];
}

const STYLES: Record<NonNullable<ReplyAction['style']>, ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger> = {
  primary: ButtonStyle.Primary,
  default: ButtonStyle.Secondary,
  danger: ButtonStyle.Danger,
};

/** Footers are secondary: when an embed is over its total, the footer is cut to this first. */
const SHORT_FOOTER = 256;

/** Discord only resolves `attachment://NAME` for names of ASCII letters, digits, `_`, `-` and `.`. */
export function attachmentName(filename: string): string {
  const safe = filename.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '').slice(-80);
  const name = safe.length > 0 ? safe : 'chart';
  return /\.png$/i.test(name) ? name : `${name}.png`;
}

/** A safe file name for an export (same character set), keeping its own extension (`.csv`). */
export function exportName(filename: string, ext = 'csv'): string {
  const safe = filename.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '').slice(-80);
  const name = safe.length > 0 ? safe : 'export';
  return name.toLowerCase().endsWith(`.${ext}`) ? name : `${name}.${ext}`;
}

function embedSize(e: APIEmbed): number {
  const fields = (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + fields + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
}

function moreNote(count: number): APIEmbedField {
  return { name: '…', value: `${count} more field${count > 1 ? 's' : ''} not shown`, inline: false };
}

/**
 * An embed within every per-part limit and the 6000-character total. Over the total, the footer is shortened
 * first, then fields are dropped from the end (a last field says how many), then the description is cut.
 */
export function clampEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = nonEmpty(clampText(out.title, L.title));
  if (out.description !== undefined) out.description = clampMarkdown(out.description, L.description);
  if (out.footer) out.footer = { ...out.footer, text: clampText(out.footer.text, L.footer) };
  if (out.author) out.author = { ...out.author, name: clampText(out.author.name, L.author) };
  let fields = (embed.fields ?? []).map((f) => ({
    ...f,
    name: nonEmpty(clampText(f.name, L.fieldName)),
    value: nonEmpty(clampMarkdown(f.value, L.fieldValue)),
  }));
  let dropped = 0;
  if (fields.length > L.fields) {
    dropped = fields.length - (L.fields - 1);
    fields = fields.slice(0, L.fields - 1);
  }
  const withNote = () => (dropped > 0 ? [...fields, moreNote(dropped)] : fields);
  if (embed.fields !== undefined) out.fields = withNote();
  if (embedSize(out) > L.embedTotal && out.footer && out.footer.text.length > SHORT_FOOTER) {
    out.footer = { ...out.footer, text: clampText(out.footer.text, SHORT_FOOTER) };
  }
  while (embedSize(out) > L.embedTotal && fields.length > 0) {
    fields = fields.slice(0, -1);
    dropped++;
    out.fields = withNote();
  }
  const over = embedSize(out) - L.embedTotal;
  if (over > 0 && out.description) out.description = clampMarkdown(out.description, Math.max(0, out.description.length - over));
  if (out.fields && out.fields.length === 0) delete out.fields;
  return out;
}

/** Buttons from a reply's actions, 5 a row; an action whose id is too long to round-trip is left out. */
export function buttonRows(actions: ReplyAction[] | undefined): ButtonRow[] {
  const buttons: APIButtonComponentWithCustomId[] = (actions ?? [])
    .filter((a) => a.id.length > 0 && a.id.length <= L.customId)
    .slice(0, L.actionRows * L.buttonsPerRow)
    .map((a) => ({ type: ComponentType.Button, custom_id: a.id, label: clampText(nonEmpty(a.label), L.buttonLabel), style: STYLES[a.style ?? 'default'] }));
  const rows: ButtonRow[] = [];
  for (let i = 0; i < buttons.length; i += L.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + L.buttonsPerRow) });
  }
  return rows;
}

/**
 * A neutral Reply as a Discord message: one embed (severity marker and title, text, fields, footer, colour from
 * the severity: the same marker as on Slack), the chart uploaded as a file and shown in the embed
 * (`attachment://NAME`), an export (`reply.attachment`, a CSV) as a second file of the same message, and the
 * actions as buttons. An export over MAX_ATTACHMENT_BYTES is not attached: a field says why. Pure; the result
 * stays within DISCORD_LIMITS whatever the reply holds.
 */
export function renderDiscordReply(reply: Reply): DiscordMessage {
  const embed: APIEmbed = { title: markedTitle(reply.title, reply.severity), color: SEVERITY_STYLE[reply.severity ?? 'info'].color };
  if (reply.text) embed.description = reply.text;
  const fields: APIEmbedField[] = (reply.fields ?? []).map((f) => ({ name: f.name, value: f.value, inline: f.inline ?? false }));
  if (reply.footer) embed.footer = { text: reply.footer };
  const out: DiscordMessage = { embeds: [] };
  const files: DiscordFile[] = [];
  if (reply.chart) {
    const name = attachmentName(reply.chart.filename);
    embed.image = { url: `attachment://${name}` };
    files.push({ attachment: reply.chart.png, name, description: clampText(reply.chart.alt, L.attachmentDescription) });
  }
  const att = reply.attachment;
  if (att) {
    const tooLarge = attachmentTooLarge(att.filename, att.content.length);
    if (tooLarge) fields.unshift({ name: 'Export not attached', value: tooLarge, inline: false });
    else files.push({ attachment: att.content, name: exportName(att.filename), description: clampText(att.title, L.attachmentDescription) });
  }
  if (fields.length) embed.fields = fields;
  if (files.length) out.files = files;
  out.embeds.push(clampEmbed(embed));
  const rows = buttonRows(reply.actions);
  if (rows.length) out.components = rows;
  return out;
}

/** The embed with a field set (replaced when one of that name exists, else added), within the limits. */
export function withField(embed: APIEmbed, field: APIEmbedField): APIEmbed {
  const fields = (embed.fields ?? []).filter((f) => f.name !== field.name);
  // The note goes before any "… more fields" line so it survives clamping.
  const keep = fields.slice(0, L.fields - 2);
  const out = clampEmbed({ ...embed, fields: [...keep, field, ...fields.slice(keep.length)] });
  // An embed at its 6000-character total drops fields from the end: then the note goes first.
  return out.fields?.some((f) => f.name === field.name) ? out : clampEmbed({ ...embed, fields: [field, ...fields] });
}

/** The rows with one button disabled and relabelled (an acknowledged alert keeps its snooze buttons). */
export function disableButton(rows: ButtonRow[], customId: string, label: string): ButtonRow[] {
  return rows.map((row) => ({
    ...row,
    components: row.components.map((b) => (b.custom_id === customId ? { ...b, disabled: true, label: clampText(label, L.buttonLabel) } : b)),
  }));
}
