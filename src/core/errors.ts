/**
 * Typed errors. Every message says what was expected and what was found, so a user reading a
 * failure from rank 3 of 8 knows what to change without opening the source.
 */

/** Base class of every error webshmem throws on purpose. */
export class WebshmemError extends Error {
  /**
   * The class name, `"WebshmemError"` here and each subclass's own below. A rank's error reaches
   * the main thread as a plain Error with its message and name but not its class, so the name is
   * what tells the kinds apart there (`RankError.rankErrorName`).
   */
  override name = "WebshmemError";
}

/** Bad use of the symmetric heap: exhaustion, asymmetric allocation, wrong group. */
export class SymmetricMemoryError extends WebshmemError {
  /** Always `"SymmetricMemoryError"`. */
  override name = "SymmetricMemoryError";
}

/** A wait on a signal pad, or on a peer's progress in the host all-reduce, ran past its `timeoutMs`. */
export class TimeoutError extends WebshmemError {
  /** Always `"TimeoutError"`. */
  override name = "TimeoutError";
  constructor(
    message: string,
    /** World rank of the rank that waited. */
    readonly rank: number,
    /** The peer it waited on, as a rank of the group. */
    readonly peer: number,
    /**
     * The pad channel of the wait: a user channel, one at or above `signalChannels` for the heap's
     * own barriers (rendezvous, newGroup), -1 for a wait not on a pad (the host all-reduce's progress).
     */
    readonly channel: number,
    /** The timeout that ran out, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/** A peer failed while this rank was waiting on it; raised instead of waiting for the timeout. */
export class PeerLostError extends WebshmemError {
  /** Always `"PeerLostError"`. */
  override name = "PeerLostError";
  constructor(
    message: string,
    /** World rank of the rank that was waiting. */
    readonly rank: number,
    /** World rank of the rank that failed, or -1 when the world was closed (`World.close`) during the wait. */
    readonly lostRank: number,
  ) {
    super(message);
  }
}

/**
 * Ranks of a group called a collective differently (another op, dtype, shape, root, setting, or
 * a different number of earlier collectives on the group). Raised on every rank that compares,
 * at the op's first synchronisation, before any byte moves to a peer.
 */
export class AgreementError extends WebshmemError {
  /** Always `"AgreementError"`. */
  override name = "AgreementError";
  constructor(
    message: string,
    /** World rank of the rank that raised it. */
    readonly rank: number,
    /** World rank of the peer that disagrees. */
    readonly peer: number,
    /** Name of the group the collective was called on. */
    readonly group: string,
    /** What differs: "op", "input's dtype", "call number", ... */
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * A group that cannot be used any more: an earlier failure left its ranks in states that do not
 * match (in this run, until the run ends; or for good, after a recovery found them apart).
 * Every later collective on it rejects at once with this error, which names the original cause.
 */
export class GroupBrokenError extends WebshmemError {
  /** Always `"GroupBrokenError"`. */
  override name = "GroupBrokenError";
  constructor(
    message: string,
    /** Name of the broken group. */
    readonly group: string,
    /** What broke it, as a message (the original error's name and message). */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** A rank's worker ended (exited, was terminated, closed itself or crashed) while the world was open. */
export class WorkerLostError extends WebshmemError {
  /** Always `"WorkerLostError"`. */
  override name = "WorkerLostError";
  constructor(
    message: string,
    /** World rank of the worker that ended. */
    readonly rank: number,
    /** Its exit code where the runtime reports one (Node), else undefined. */
    readonly exitCode: number | undefined,
  ) {
    super(message);
  }
}

/** The launcher could not start a world: no WebGPU adapter, no cross-origin isolation, bad options. */
export class LaunchError extends WebshmemError {
  /** Always `"LaunchError"`. */
  override name = "LaunchError";
}

/** A rank threw inside `World.run`; carries the rank number and the rank's own error. */
export class RankError extends WebshmemError {
  /** Always `"RankError"`. */
  override name = "RankError";
  constructor(
    message: string,
    /** World rank of the rank that failed; -1 when `run` was called on a closed world. */
    readonly rank: number,
    /**
     * The `name` of the rank's error (`"OpError"`, `"TypeError"`, ...; `typeof` the value for a
     * non-Error throw): the class itself does not cross from the worker. `"Error"` for a closed world.
     */
    readonly rankErrorName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A malformed operator schema; `position` is the 0-based character offset of the problem. */
export class SchemaError extends WebshmemError {
  /** Always `"SchemaError"`. */
  override name = "SchemaError";
  constructor(
    message: string,
    /** The whole schema text that failed to parse. */
    readonly schema: string,
    /** 0-based character offset in `schema` where the parser expected something else. */
    readonly position: number,
  ) {
    super(message);
  }
}

/**
 * A rank's GPU device reported an error (WebGPU raises none: it fires `uncapturederror` events):
 * an allocation that ran out of memory, a validation error, an internal error. Thrown by the next
 * readback on that device, since results computed there after the error are not valid.
 */
export class DeviceError extends WebshmemError {
  /** Always `"DeviceError"`. */
  override name = "DeviceError";
  constructor(
    message: string,
    /** The first reported error's class: `"GPUOutOfMemoryError"`, `"GPUValidationError"`, `"GPUInternalError"`. */
    readonly gpuErrorType: string,
    /** How many errors the device reported since the last readback. */
    readonly count: number,
  ) {
    super(message);
  }
}

/** Bad use of the op library: unknown op, bad registration, bad arguments at a call. */
export class OpError extends WebshmemError {
  /** Always `"OpError"`. */
  override name = "OpError";
}
