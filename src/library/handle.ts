/**
 * Registration handles, after torch/_library/utils.py's RegistrationHandle: every registration in
 * the op library (a definition, a kernel, a symm-mem argument list, a meta kernel) returns one,
 * and its `dispose()` takes back exactly that registration and nothing registered after it.
 */

/** Takes back one registration. `dispose()` is idempotent: the second call does nothing. */
export interface RegistrationHandle {
  /** Takes the registration back if it is still the one in place; later calls do nothing. */
  dispose(): void;
  /** True once `dispose()` has run. */
  readonly disposed: boolean;
}

/**
 * A handle whose first `dispose()` runs `release` and whose later ones do nothing. `release`
 * must only undo what its registration did (holders check that the slot is still theirs).
 */
export function registrationHandle(release: () => void): RegistrationHandle {
  let disposed = false;
  return Object.freeze({
    dispose(): void {
      if (disposed) return;
      disposed = true;
      release();
    },
    get disposed(): boolean {
      return disposed;
    },
  });
}
