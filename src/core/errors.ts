/**
 * Typed errors. Every message says what was expected and what was found, so a user reading a
 * failure from rank 3 of 8 knows what to change without opening the source.
 */

/** Base class of every error webshmem throws on purpose. */
export class WebshmemError extends Error {
  override name = "WebshmemError";
}

/** Bad use of the symmetric heap: exhaustion, asymmetric allocation, wrong group. */
export class SymmetricMemoryError extends WebshmemError {
  override name = "SymmetricMemoryError";
}

/** A wait on a signal pad ran past its `timeoutMs`. */
export class TimeoutError extends WebshmemError {
  override name = "TimeoutError";
  constructor(
    message: string,
    readonly rank: number,
    readonly peer: number,
    readonly channel: number,
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/** A peer failed while this rank was waiting on it; raised instead of waiting for the timeout. */
export class PeerLostError extends WebshmemError {
  override name = "PeerLostError";
  constructor(
    message: string,
    readonly rank: number,
    readonly lostRank: number,
  ) {
    super(message);
  }
}

/** The launcher could not start a world: no WebGPU adapter, no cross-origin isolation, bad options. */
export class LaunchError extends WebshmemError {
  override name = "LaunchError";
}

/** A rank threw inside `World.run`; carries the rank number and the rank's own error. */
export class RankError extends WebshmemError {
  override name = "RankError";
  constructor(
    message: string,
    readonly rank: number,
    readonly rankErrorName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A malformed operator schema; `position` is the 0-based character offset of the problem. */
export class SchemaError extends WebshmemError {
  override name = "SchemaError";
  constructor(
    message: string,
    readonly schema: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** Bad use of the op library: unknown op, bad registration, bad arguments at a call. */
export class OpError extends WebshmemError {
  override name = "OpError";
}
