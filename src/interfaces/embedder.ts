/**
 * Turns texts into vectors. This is the extension interface of the contract: any object with `embed`
 * works, so a custom embedder needs no base class.
 */
export interface Embedder {
  /** Output size when known ahead of the first call; Memory checks it against the vector store. */
  readonly dimensions?: number
  /** One vector per input text, in input order. Implementations batch internally as they see fit. */
  embed(texts: string[]): Promise<ArrayLike<number>[]>
  /** Load models or open connections now instead of on the first call. */
  ready?(): Promise<void>
  close?(): Promise<void>
}
