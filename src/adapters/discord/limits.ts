/**
 * Discord's limits, in one table (https://discord.com/developers/docs/resources/message#embed-object-embed-limits,
 * .../interactions/message-components, .../interactions/application-commands). Lengths are checked in UTF-16 code
 * units, which are never fewer than the characters Discord counts, so a text within these limits is accepted.
 */
export const DISCORD_LIMITS = {
  /** Characters of a message's `content`. */
  content: 2000,
  embedsPerMessage: 10,
  /** Sum of title, description, field names and values, footer text and author name of one embed. */
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  filesPerMessage: 10,
  /** Alt text of an attachment. */
  attachmentDescription: 1024,
  /** Autocomplete: choices per answer, and the length of a choice's name and value. */
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  /** Application commands. */
  commandName: 32,
  commandDescription: 100,
  options: 25,
  optionChoices: 25,
} as const;
