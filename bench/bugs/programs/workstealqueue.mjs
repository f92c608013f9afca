// WorkStealQueue (SCTBench, chess/WorkStealQueue.cpp and WorkStealQueue.h, from
// CHESS's THE work-stealing queue, with BUG3 defined): the owner (main) pushes and pops
// items at the tail without a lock, 1 stealer takes from the head under the queue's
// lock; 4 items, 2 steal attempts, an initial capacity of 2. Every item must be
// operated on exactly once (main checks after joining the stealer). The bug (BUG3):
// Push's fast path accepts t < head + mask + 1, letting the owner fill the last free
// slot, so a steal racing a pop can take an item the owner also pops (or one is lost).
// head, tail, mask and the element slots are accessed outside the lock by the owner
// (atomics in the original): SharedCells, a scheduling point per access. 2 threads.
import { Mutex, SharedCell } from "lockstep";
import { create, join, check } from "../common.mjs";

export const meta = { name: "workstealqueue_bad", threads: 2, bug: "assertion: every item operated on exactly once" };

const MAX_SIZE = 1024 * 1024;
const INITIAL_SIZE = 1024;

class WorkStealQueue {
  constructor(size, bug3) {
    this.bug3 = bug3;
    this.lock = new Mutex({ name: "queue" });
    this.head = new SharedCell(0, { name: "head" });
    this.tail = new SharedCell(0, { name: "tail" });
    this.mask = new SharedCell(size - 1, { name: "mask" });
    this.elems = new SharedCell(slots(size), { name: "elems" });
  }
  async slot(i) {
    const elems = await this.elems.get();
    return elems[i & (await this.mask.get())];
  }
  async steal() {
    await this.lock.lock();
    const h = await this.head.get();
    await this.head.set(h + 1);
    let result = null;
    if (h < (await this.tail.get())) result = await (await this.slot(h)).get();
    else await this.head.set(h); // restore the head
    await this.lock.unlock();
    return result;
  }
  async pop() {
    const t = (await this.tail.get()) - 1;
    await this.tail.set(t);
    if ((await this.head.get()) <= t) return (await this.slot(t)).get();
    await this.tail.set(t + 1); // restore the tail
    return this.syncPop();
  }
  async syncPop() {
    await this.lock.lock();
    const t = (await this.tail.get()) - 1;
    await this.tail.set(t);
    let result = null;
    if ((await this.head.get()) <= t) result = await (await this.slot(t)).get();
    else await this.tail.set(t + 1); // restore the tail
    if ((await this.head.get()) > t) {
      await this.head.set(0);
      await this.tail.set(0);
      result = null;
    }
    await this.lock.unlock();
    return result;
  }
  async push(elem) {
    const t = await this.tail.get();
    const mask = await this.mask.get();
    // Fixed: keep one slot free (t < head + mask), as without BUG3.
    const room = this.bug3 ? mask + 1 : mask;
    if (t < (await this.head.get()) + room && t < MAX_SIZE) {
      await (await this.slot(t)).set(elem);
      await this.tail.set(t + 1); // only once the entry is written
    } else {
      await this.syncPush(elem);
    }
  }
  async syncPush(elem) {
    await this.lock.lock();
    let h = await this.head.get();
    const count = (await this.tail.get()) - h;
    let mask = await this.mask.get();
    h = h & mask; // normalize head
    await this.head.set(h);
    await this.tail.set(h + count);
    if (count >= mask) {
      const newSize = mask === 0 ? INITIAL_SIZE : 2 * (mask + 1);
      check(newSize < MAX_SIZE, "newsize < MaxSize");
      const fresh = slots(newSize);
      for (let i = 0; i < count; i++) await fresh[i].set(await (await this.slot(h + i)).get());
      await this.elems.set(fresh);
      await this.mask.set(newSize - 1);
      mask = newSize - 1;
      await this.head.set(0);
      await this.tail.set(count);
    }
    check(count < mask, "count < mask");
    const t = await this.tail.get();
    await (await this.slot(t)).set(elem);
    await this.tail.set(t + 1);
    await this.lock.unlock();
  }
}

function slots(n) {
  return Array.from({ length: n }, () => new SharedCell(null, { name: "elem" }));
}

function workStealQueue(bug3) {
  return async function workStealQueue() {
    const nStealers = 1, nItems = 4, nStealAttempts = 2;
    const q = new WorkStealQueue(2, bug3);
    const items = Array.from({ length: nItems }, () => ({ field: 0 }));
    const operate = (r) => r.field++;
    const handles = [];
    for (let i = 0; i < nStealers; i++) {
      handles.push(await create(async () => {
        for (let k = 0; k < nStealAttempts; k++) {
          const r = await q.steal();
          if (r !== null) operate(r);
        }
      }));
    }
    for (let i = 0; i < nItems / 2; i++) {
      await q.push(items[2 * i]);
      await q.push(items[2 * i + 1]);
      const r = await q.pop();
      if (r !== null) operate(r);
    }
    for (let i = 0; i < nItems / 2; i++) {
      const r = await q.pop();
      if (r !== null) operate(r);
    }
    for (const h of handles) await join(h);
    for (const item of items) check(item.field === 1, "field == 1");
  };
}

export const bad = workStealQueue(true);
export const fixed = workStealQueue(false);
