import { deserialize, serialize } from 'node:v8';

import type { WorldState } from './state';

/**
 * The world's data as bytes, and back: users, bots (webhooks, pending updates), chats with
 * their members and messages, files with their bytes, callback queries, and the id counters,
 * so that a restarted server goes on where it stopped and never hands out an id twice.
 * v8's structured serialization keeps Maps, Sets, Dates, Buffers and shared objects (a bot
 * is in two maps, a message in its chat and its record) as they were. Not kept: the call log,
 * faults, and what is in flight (long polls, webhook deliveries).
 */
const MAPS = [
  'users',
  'bots',
  'botsById',
  'chats',
  'groupsById',
  'files',
  'filesByPath',
  'callbacks',
] as const satisfies readonly (keyof WorldState)[];

const FORMAT = 1;

export function snapshotState(state: WorldState): Buffer {
  return serialize({
    format: FORMAT,
    ids: { ...state.ids },
    nextUpdateId: state.nextUpdateId,
    maps: Object.fromEntries(MAPS.map((name) => [name, state[name]])),
  });
}

/** Replaces the world's data, in place, with a snapshot's. */
export function restoreState(state: WorldState, bytes: Uint8Array): void {
  const data = deserialize(bytes) as {
    format: number;
    ids: Record<string, number>;
    nextUpdateId: number;
    maps: Record<(typeof MAPS)[number], Map<unknown, unknown>>;
  };
  if (data.format !== FORMAT) throw new Error(`unknown world snapshot format ${data.format}`);
  Object.assign(state.ids, data.ids);
  state.nextUpdateId = data.nextUpdateId;
  for (const name of MAPS) {
    const target = state[name] as Map<unknown, unknown>;
    target.clear();
    for (const [key, value] of data.maps[name]) target.set(key, value);
  }
}
