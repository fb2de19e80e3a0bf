// The live stream as a hook: events as they are committed, and whether the stream is connected.
import { useEffect, useRef, useState } from "preact/hooks";
import { followEvents } from "./api.js";

export function useEventStream(onEvent) {
  const [state, setState] = useState("connecting");
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const stop = new AbortController();
    followEvents((event) => handler.current(event), setState, stop.signal);
    return () => stop.abort();
  }, []);
  return state;
}

export const streamStates = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  busy: "Too many live views of this project are open; trying again…",
};
