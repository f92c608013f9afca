// stringbuffer-jdk1.4 (SCTBench, conc-bugs/stringbuffer-jdk1.4, after Flanagan and
// Qadeer's atomicity bug in java.lang.StringBuffer): main appends the shared buffer
// "abc" to a new StringBuffer; append(sb) reads sb.length() and then copies
// sb.getChars(0, len), each under sb's own lock but not under one lock together. A
// second thread erases the buffer's 3 characters and appends "abc" again. The bug:
// the erase lands between length() and getChars(), whose bounds check fails (an
// assert in the C port). 2 threads. Each buffer's count and contents are only touched
// under its mutex, so they stay plain; the shared buffer is built before main starts
// (a C++ global), so its constructor's locking is not part of the schedule.
import { Mutex } from "lockstep";
import { create, join, check } from "../common.mjs";

export const meta = { name: "stringbuffer_bad", threads: 2, bug: "assertion: getChars(0, len) past the buffer's count" };

class StringBuffer {
  constructor(name, text = "") {
    this.mutex = new Mutex({ name });
    this.value = text;
  }
  async length() {
    await this.mutex.lock();
    const n = this.value.length;
    await this.mutex.unlock();
    return n;
  }
  async getChars(begin, end) {
    await this.mutex.lock();
    check(begin >= 0 && end >= 0 && end <= this.value.length && begin <= end, "0 <= srcBegin <= srcEnd <= count");
    const s = this.value.slice(begin, end);
    await this.mutex.unlock();
    return s;
  }
  async appendBuffer(sb, atomic) {
    await this.mutex.lock();
    // Fixed: length and getChars under one hold of sb's lock (StringBuffer's later fix).
    if (atomic) await sb.mutex.lock();
    const len = atomic ? sb.value.length : await sb.length();
    const s = atomic ? sb.value.slice(0, len) : await sb.getChars(0, len);
    if (atomic) await sb.mutex.unlock();
    this.value += s;
    await this.mutex.unlock();
  }
  async appendText(str) {
    await this.mutex.lock();
    this.value += str;
    await this.mutex.unlock();
  }
  async erase(start, end) {
    await this.mutex.lock();
    this.value = this.value.slice(0, start) + this.value.slice(Math.min(end, this.value.length));
    await this.mutex.unlock();
  }
}

function stringbuffer(atomic) {
  return async function stringbuffer() {
    const buffer = new StringBuffer("buffer", "abc");
    const thd = await create(async () => {
      await buffer.erase(0, 3);
      await buffer.appendText("abc");
    });
    const sb = new StringBuffer("sb");
    await sb.appendBuffer(buffer, atomic);
    await join(thd);
  };
}

export const bad = stringbuffer(false);
export const fixed = stringbuffer(true);
