/** autocannon ships no types; the bench uses it through lib/load.ts only, with its own types there. */
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => PromiseLike<unknown> & {
    on(event: string, listener: (...args: never[]) => void): void;
  };
  export default autocannon;
}
