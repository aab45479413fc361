/**
 * Raised by a pure parser when a wire payload does not fit the format. Carries the JSON path of the offending
 * field so the caller can answer 400 with a precise message; never carries the payload itself.
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  readonly param: string | null;
  constructor(message: string, param: string | null = null) {
    super(message);
    this.param = param;
  }
}
