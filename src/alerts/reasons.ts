/**
 * Why the policy decided what it did: one code per decision path, with the sentence that explains it. The table
 * is data so that `backtest`, logs and help can print the explanation next to the code.
 */
export const REASONS = {
  // evaluateBar, no episode
  no_condition: 'No episode, and this bar does not meet the entry condition (regime is neither converging nor stressed).',
  pending: 'The entry condition holds, but not yet for forBars consecutive bars.',
  pending_reset: 'A pending episode lost the entry condition before forBars bars: it was noise and is forgotten.',
  // evaluateBar, firing
  fired: 'The entry condition held for forBars consecutive bars: the episode fires and is announced.',
  firing: 'The episode is firing, already announced, and this bar still meets the entry condition.',
  escalated: 'An episode announced as converging reached stressed: announced once.',
  hysteresis_hold: 'The regime left converging/stressed, but the score is still at or above exitScore: the episode keeps firing.',
  dwell_hold: 'The exit condition holds, but the episode has not lasted minDwellBars bars yet: it keeps firing.',
  resolved: 'The exit condition holds after the minimum dwell: the announced episode ends and its end is announced.',
  resolved_unnotified: 'The exit condition holds, but the episode was never announced (cooldown or snooze): it ends silently.',
  cooldown: 'A new episode fired within cooldownBars of the previous announced resolution: tracked, not announced.',
  cooldown_ended_fired: 'An episode held back by the cooldown is still firing now that the cooldown is over: announced.',
  snoozed: 'The basket is snoozed: the state moved on, and the notification it would have sent was withheld.',
  snooze_ended_fired: 'An episode that fired during a snooze is still firing now that the snooze is over: announced.',
  recovered: 'The first bar (outside a snooze) after data was announced missing: announced; anything else this bar would announce waits one bar.',
  duplicate_bar: 'This bar is not newer than the last one evaluated (a replay after a restart): nothing changes.',
  // checkStale
  no_data: 'No bar has been evaluated yet: there is nothing to be stale.',
  fresh: 'The last bar is recent enough: data is not missing.',
  stale: 'staleBars bars the market calendar expects (beyond any closure allowance) have closed since the last bar without arriving: data is missing, announced once.',
  snooze_ended_stale: 'Data went missing during a snooze and is still missing now that the snooze is over: announced.',
  stale_hold: 'Data is missing and that is already announced (not yet recovered): nothing more is sent; a firing episode stays firing.',
} as const;

/** A decision path of the alert policy; `REASONS[code]` explains it. */
export type ReasonCode = keyof typeof REASONS;
