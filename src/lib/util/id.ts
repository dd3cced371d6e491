/**
 * Record identifiers: random, sortable enough to read in logs, no dependency.
 */
export function newId(): string {
  return `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}
