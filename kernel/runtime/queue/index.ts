// "queue", as cells import it: Python's queues on shared memory (queue.ts), their items as bytes (records.ts).
export { Queue, LifoQueue, PriorityQueue, SimpleQueue, Empty, Full } from "./queue";
