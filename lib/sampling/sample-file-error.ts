/**
 * A sample file cannot be read or written, is not gzip or JSON where it
 * should be, or breaks the schema. The message names the file and, where
 * there is one, the field or line.
 */
export class SampleFileError extends Error {
  readonly path: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.name = 'SampleFileError';
    this.path = path;
  }
}
