/**
 * An intrusive doubly linked recency list: the links live on the nodes themselves, so moving a
 * node to the front on a cache hit is four pointer writes and allocates nothing (a Map
 * delete + set would also keep order, but churns the hash table on every hit).
 */
export interface LruLinks<T> {
  newer: T | null;
  older: T | null;
}

export class LruList<T extends LruLinks<T>> {
  #newest: T | null = null;
  #oldest: T | null = null;

  /** The least recently used node, or null when the list is empty. */
  oldest(): T | null {
    return this.#oldest;
  }

  pushNewest(node: T): void {
    node.older = this.#newest;
    node.newer = null;
    if (this.#newest !== null) this.#newest.newer = node;
    this.#newest = node;
    if (this.#oldest === null) this.#oldest = node;
  }

  moveToNewest(node: T): void {
    if (this.#newest === node) return;
    this.remove(node);
    this.pushNewest(node);
  }

  remove(node: T): void {
    if (node.newer !== null) node.newer.older = node.older;
    else this.#newest = node.older;
    if (node.older !== null) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    node.newer = null;
    node.older = null;
  }

  clear(): void {
    this.#newest = null;
    this.#oldest = null;
  }
}
