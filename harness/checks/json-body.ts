/** What parsing a body as JSON gave: its value, or the error JSON.parse threw. */
export type JsonParse =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

/**
 * A response body parsed as JSON at most once, however many checks (and the caller) read it: the
 * schema check, the error envelope, the Location check and the suite's own `json()` share one
 * parse instead of each decoding and parsing the bytes again.
 */
export class JsonBody {
  readonly #body: Buffer;
  #parsed: JsonParse | undefined;

  constructor(body: Buffer) {
    this.#body = body;
  }

  /** The parse of the body (done on first use). */
  get parsed(): JsonParse {
    if (this.#parsed === undefined) {
      try {
        this.#parsed = { ok: true, value: JSON.parse(this.#body.toString('utf8')) as unknown };
      } catch (error) {
        this.#parsed = { ok: false, error: error as Error };
      }
    }
    return this.#parsed;
  }

  /** The parsed value, or undefined when the body is not JSON. */
  get value(): unknown {
    const parsed = this.parsed;
    return parsed.ok ? parsed.value : undefined;
  }
}
