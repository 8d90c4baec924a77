import { useEffect, useState } from 'react';

import type * as formValidation from './form-validation';

export type FormValidation = typeof formValidation;

let loading: Promise<FormValidation> | null = null;
let loaded: FormValidation | null = null;

/**
 * The form's checks, loaded on first use: they bring zod (about 20 kB gzipped), which the first
 * screen's paint does not need. The form asks for them once it is on screen (its first effect),
 * so they are there by the time anyone types and do not hold its first paint back.
 */
export function loadFormValidation(): Promise<FormValidation> {
  loading ??= import('./form-validation').then(
    (module) => (loaded = module),
    (error: unknown) => {
      // A lost connection: the next call (the next save) tries again.
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** The form's checks once loaded (null for the moment before); re-renders when they arrive. */
export function useFormValidation(): FormValidation | null {
  const [validation, setValidation] = useState(loaded);
  useEffect(() => {
    if (validation) return;
    let current = true;
    loadFormValidation().then(
      (module) => current && setValidation(() => module),
      // Not loaded (a lost connection): no live checks; a save loads them again, or says why not.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [validation]);
  // After a failed first load, a save may load them: live checks come back with it.
  return validation ?? loaded;
}
