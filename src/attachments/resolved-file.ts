/** An attachment's bytes, ready to upload: what a client sent, or what the server fetched for it. */
export interface ResolvedFile {
  /** Where the client put it (`messages[1].content[2]`), for error messages. */
  path: string;
  fileName: string;
  contentType: string;
  bytes: Buffer;
  /** SHA-256 of the bytes (hex): the same file on the same account is uploaded once. */
  sha256: string;
}
