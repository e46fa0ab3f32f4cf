/**
 * The one reader of on/off environment variables (NREPL_DISABLE, NREPL_DEBUG,
 * NREPL_STRICT). Pure, dependency-free and tiny on purpose: register.js
 * requires the compiled file before anything else to honour NREPL_DISABLE at
 * zero cost, and the gate, the process rule and the logger use the same
 * function, so every flag accepts the same spellings.
 *
 * It does not read process.env itself, and it does not parse values that are
 * more than a switch (NREPL_SERVER_* "off" is config/env.ts's business).
 */

/** Values that mean "off" (compared after trimming and lower-casing); unset means off too. */
export const OFF_VALUES: readonly string[] = ['', '0', 'false', 'no', 'off'];

/** True for any value except unset, empty, 0, false, no and off (any case, surrounding blanks ignored). */
export function envFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !OFF_VALUES.includes(value.trim().toLowerCase());
}
