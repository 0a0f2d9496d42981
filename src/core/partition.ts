/** FNV-1a 32-bit hash of the UTF-8 bytes of `text` (the hash the original provider uses for routing). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The partition (control queue index) that owns `instanceId`. */
export function partitionOf(instanceId: string, partitionCount: number): number {
  return fnv1a32(instanceId) % partitionCount;
}
