// A value that follows another after it has stopped changing for a while:
// suggestions while typing ask the API once per pause, not per key.
import { useEffect, useState } from 'react';

export function useDebounced<T>(value: T, ms = 350): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
