/** An error answer of the API: status plus the documented `{error:{type,message}}` body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, type: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.headers = headers;
  }
}

/** 400 invalid-input: a parameter or body field with a value that is not allowed. */
export function invalidInput(message: string): ApiError {
  return new ApiError(400, 'invalid-input', message);
}

/** 404 record-not-found, the type apify-client turns into `undefined` (used for stores and records). */
export function notFound(what: 'Store' | 'Record'): ApiError {
  return new ApiError(404, 'record-not-found', `${what} was not found`);
}
