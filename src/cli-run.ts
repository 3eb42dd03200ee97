// Process entry of the CLI: run main() on argv and exit with its code (bin/corrwatch.js loads the compiled copy).
import { main } from './cli.js';

/**
 * Once main() is done the process ends when nothing is left to run. An exchange request abandoned by an aborted tick
 * (ccxt cannot cancel one: it runs to its own timeout) must not hold it up: past this delay it exits anyway.
 */
const EXIT_DELAY_MS = 2_000;

function finish(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_DELAY_MS).unref();
}

main(process.argv.slice(2)).then(finish, (err: unknown) => {
  process.stderr.write(`corrwatch: ${err instanceof Error ? err.message : String(err)}\n`);
  finish(1);
});
