// Four scenarios in one file (the ring of ring.mjs under four names): a CLI run that
// explores several scenarios, for the parallel bench (one worker pool serves them all).
export { default as ring1, default as ring2, default as ring3, default as ring4 } from "./ring.mjs";
