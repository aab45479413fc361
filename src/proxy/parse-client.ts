import { RampartError } from '../errors/catalogue.ts';
import { FormatError } from '../formats/canonical/format-error.ts';

/** Runs a client-side parser; a FormatError becomes the client's 400 naming the field. */
export function parseClient<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FormatError) throw new RampartError('RAMPART_REQUEST_INVALID', { message: error.message, param: error.param });
    throw error;
  }
}
