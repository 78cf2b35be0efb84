import type { TimerAction } from '../protocols/core.ts';

/**
 * A sans-IO core's named timers on the real clock: the live lab's counterpart of
 * sim/driver.ts. Arming a named timer replaces it; `fire` delivers the expiry.
 */
export class RealTimers<Name extends string> {
  private readonly handles = new Map<Name, NodeJS.Timeout>();

  constructor(private readonly fire: (timer: Name) => void) {}

  apply(action: TimerAction<Name>): void {
    clearTimeout(this.handles.get(action.timer));
    this.handles.delete(action.timer);
    if (action.kind !== 'armTimer') return;
    const timer = action.timer;
    this.handles.set(
      timer,
      setTimeout(() => {
        this.handles.delete(timer);
        this.fire(timer);
      }, action.delayMs),
    );
  }

  clearAll(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }
}
