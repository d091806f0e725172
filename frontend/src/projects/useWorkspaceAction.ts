// A change to the project workspace: the mutation answers with the
// workspace as it is now, which replaces the page's copy; a refusal shows
// next to its field or, naming its rule's sentence, above the form; a
// success is announced to screen readers (the caller's aria-live status).
import { useState, type FormEvent } from 'react';
import { useFormErrors } from '../formErrors';
import type { Workspace } from './workspace';

export function useWorkspaceAction<W extends Workspace = Workspace>(onChange: (ws: W) => void, known: readonly string[] = []) {
  const form = useFormErrors(known);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  /**
   * Runs `action`; on success takes its workspace, says `message` and runs
   * `after`. The action answers `undefined` when it sent nothing (the form
   * found a problem itself), `null` when the reader no longer sees the
   * project.
   */
  async function run(action: () => Promise<W | null | undefined>, message?: string, after?: () => void) {
    setBusy(true);
    setDone(undefined);
    await form.attempt(async () => {
      const ws = await action();
      if (ws === undefined) return;
      if (ws) onChange(ws);
      setDone(message);
      after?.();
    });
    setBusy(false);
  }

  /** A form's submit handler for `run`. */
  function submit(action: () => Promise<W | null | undefined>, message?: string, after?: () => void) {
    return (event: FormEvent) => {
      event.preventDefault();
      void run(action, message, after);
    };
  }

  return { ...form, busy, done, run, submit };
}
