// CPython's Lib/test/lock_tests.py (BaseLockTests, LockTests, RLockTests) and
// test_threading.py (ConditionAsRLockTests, test_releasing_unacquired_lock),
// ported to cells that run on real threads. What is not ported, and why:
// SKIPPED-locks.md.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell, assertWaited } from "../support";

const KINDS = ["Lock", "RLock", "Condition"] as const;
type Kind = (typeof KINDS)[number];

describe("conformance: Lock, RLock (CPython lock_tests)", function () {
  this.timeout(20000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  for (const kind of KINDS) {
    // test_threading runs RLockTests on Condition too: a Condition exports its RLock's API
    describe(`${kind}${kind === "Condition" ? " as an RLock" : ""}: BaseLockTests`, () => {
      it("repr says unlocked, then locked (test_repr, test_locked_repr)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          report("repr", String(lock));
          lock.acquire();
          report("locked", String(lock));
          lock.release();
          report("again", String(lock));`);
        assert.match(r.get("repr"), /<unlocked /);
        assert.match(r.get("locked"), /<locked /);
        assert.match(r.get("again"), /<unlocked /);
      });

      if (kind !== "Condition") {
        it("takes no arguments (test_constructor_noargs)", async () => {
          const r = await cell(k, `
            report("one", outcome(() => new (${kind} as any)(1)));
            report("two", outcome(() => new (${kind} as any)(1, 2)));`);
          assert.deepEqual(r.get("one"), { err: "TypeError" });
          assert.deepEqual(r.get("two"), { err: "TypeError" });
        });

        if (kind === "RLock") {
          it("a subclass with a constructor of its own still works (test_threading CRLockTests.test_signature)", async () => {
            const r = await cell(k, `
              class CustomRLock extends RLock {
                constructor(a: number, options: { b: number }) { super(); }
              }
              report("subclass", outcome(() => {
                const c = new CustomRLock(1, { b: 2 });
                const got = [c.acquire(), c.acquire(false)];
                c.release(); c.release();
                return [...got, c.locked(), c instanceof RLock];
              }));`);
            assert.deepEqual(r.get("subclass"), { ok: [true, true, false, true] });
          });
        }
      }

      it("acquire() and acquire(false) return true on a free lock (test_acquire_release, test_try_acquire)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          report("acquire", lock.acquire());
          lock.release();
          report("try", lock.acquire(false));
          lock.release();
          report("positional", lock.acquire(true, -1));
          lock.release();`);
        assert.equal(r.get("acquire"), true);
        assert.equal(r.get("try"), true);
        assert.equal(r.get("positional"), true);
      });

      it("acquire(false) in another thread returns false while it is held (test_try_acquire_contended)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          lock.acquire();
          inThread((l: any) => report("other", l.acquire(false)), lock);
          lock.release();
          inThread((l: any) => { report("afterRelease", l.acquire(false)); l.release(); }, lock);`);
        assert.equal(r.get("other"), false);
        assert.equal(r.get("afterRelease"), true);
      });

      it("blocks five threads until it is released, then lets each through (test_acquire_contended)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          const started = new Value("i", 0);
          const finished = new Value("i", 0);
          function f(lock: any, started: Value, finished: Value) {
            inc(started);
            lock.acquire();
            lock.release();
            inc(finished);
          }
          lock.acquire();
          const ts = [0, 1, 2, 3, 4].map(() => new Thread({ target: f, args: [lock, started, finished] }));
          ts.forEach((t) => t.start());
          waitUntil(() => started.value === 5, "the threads started");
          // nothing signals that a thread is inside acquire(): give them the time CPython's wait_threads_blocked gives
          sleep(0.05);
          report("finishedWhileHeld", finished.value);
          lock.release();
          ts.forEach((t) => t.join());
          report("finished", finished.value);`);
        assert.equal(r.get("finishedWhileHeld"), 0);
        assert.equal(r.get("finished"), 5);
      });

      it("using _ = lock.hold() releases at the end of the block, even when it throws (test_with)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          {
            using _ = lock.hold();
            report("inside", otherCanTake(lock));
          }
          report("after", otherCanTake(lock));
          function throwing() {
            using _ = lock.hold();
            throw new TypeError("raised inside the block");
          }
          report("thrown", outcome(throwing));
          report("afterThrow", otherCanTake(lock));`);
        assert.equal(r.get("inside"), false);
        assert.equal(r.get("after"), true);
        assert.deepEqual(r.get("thrown"), { err: "TypeError" });
        assert.equal(r.get("afterThrow"), true);
      });

      it("checks timeouts and gives up after one (test_timeout)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          report("nonBlockingWithTimeout", outcome(() => lock.acquire(false, 1)));
          report("negative", outcome(() => lock.acquire(true, -100)));
          report("huge", outcome(() => lock.acquire(true, 1e100)));
          report("pastMax", outcome(() => lock.acquire(true, TIMEOUT_MAX + 1)));
          report("atMax", outcome(() => { const ok = lock.acquire(true, TIMEOUT_MAX); lock.release(); return ok; }));
          let t0 = monotonic();
          report("free", [lock.acquire(true, 5), monotonic() - t0]);
          lock.release();
          lock.acquire();
          inThread((l: any) => { const t0 = monotonic(); const ok = l.acquire(true, 0.25); report("timed", [ok, monotonic() - t0]); }, lock);
          lock.release();`);
        assert.deepEqual(r.get("nonBlockingWithTimeout"), { err: "ValueError" });
        assert.deepEqual(r.get("negative"), { err: "ValueError" });
        assert.deepEqual(r.get("huge"), { err: "OverflowError" });
        assert.deepEqual(r.get("pastMax"), { err: "OverflowError" });
        assert.deepEqual(r.get("atMax"), { ok: true });
        const [free, freeTook] = r.get("free");
        assert.equal(free, true);
        assert.ok(freeTook < 1, `a free lock took ${freeTook}s with timeout 5`);
        const [timed, took] = r.get("timed");
        assert.equal(timed, false);
        assertWaited(took, 0.25, "acquire(true, 0.25)");
      });
    });
  }

  describe("Lock: LockTests", () => {
    it("blocks its own holder until another thread releases it (test_reacquire)", async () => {
      const r = await cell(k, `
        const lock = new Lock();
        const phase = new Value("i", 0);
        function f(lock: Lock, phase: Value) {
          lock.acquire();
          phase.value = 1;
          lock.acquire();
          phase.value = 2;
        }
        const t = new Thread({ target: f, args: [lock, phase] });
        t.start();
        waitUntil(() => phase.value === 1, "the first acquire");
        // nothing signals that the second acquire() is blocked: give it time to (wrongly) succeed
        sleep(0.05);
        report("blocked", phase.value);
        lock.release();
        waitUntil(() => phase.value === 2, "the second acquire");
        t.join();
        report("locked", lock.locked());
        lock.release();`);
      assert.equal(r.get("blocked"), 1);
      assert.equal(r.get("locked"), true);
    });

    it("can be released by a thread that did not acquire it (test_different_thread)", async () => {
      const r = await cell(k, `
        const lock = new Lock();
        lock.acquire();
        inThread((l: Lock) => report("release", outcome(() => l.release())), lock);
        report("locked", lock.locked());
        report("reacquire", lock.acquire(true, 2));
        lock.release();`);
      assert.deepEqual(r.get("release"), { ok: null });
      assert.equal(r.get("locked"), false);
      assert.equal(r.get("reacquire"), true);
    });

    it("is in a proper state after a timed-out acquire (test_state_after_timeout)", async () => {
      const r = await cell(k, `
        const lock = new Lock();
        lock.acquire();
        report("timedOut", lock.acquire(true, 0.01));
        lock.release();
        report("locked", lock.locked());
        report("try", lock.acquire(false));
        report("lockedAgain", lock.locked());`);
      assert.equal(r.get("timedOut"), false);
      assert.equal(r.get("locked"), false);
      assert.equal(r.get("try"), true);
      assert.equal(r.get("lockedAgain"), true);
    });

    it("raises RuntimeError when released unlocked (test_threading test_releasing_unacquired_lock)", async () => {
      const r = await cell(k, `
        const lock = new Lock();
        report("fresh", outcome(() => lock.release()));
        lock.acquire();
        lock.release();
        report("twice", outcome(() => lock.release()));
        report("locked", lock.locked());`);
      assert.deepEqual(r.get("fresh"), { err: "RuntimeError" });
      assert.deepEqual(r.get("twice"), { err: "RuntimeError" });
      assert.equal(r.get("locked"), false);
    });
  });

  for (const kind of ["RLock", "Condition"] as Kind[]) {
    describe(`${kind}: RLockTests`, () => {
      it("repr shows the recursion count, from any thread (test_repr_count)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          report("fresh", String(lock));
          lock.acquire();
          lock.acquire();
          report("twice", String(lock));
          inThread((l: any) => report("other", String(l)), lock);
          lock.release();
          lock.release();`);
        assert.match(r.get("fresh"), /<unlocked /);
        assert.match(r.get("fresh"), /count=0/);
        for (const key of ["twice", "other"]) {
          assert.match(r.get(key), /<locked /);
          assert.match(r.get(key), /count=2/);
        }
      });

      it("is re-entrant, and raises RuntimeError released once too often (test_reacquire, test_release_unacquired)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          report("fresh", outcome(() => lock.release()));
          report("steps", outcome(() => {
            lock.acquire(); lock.acquire(); lock.release();
            lock.acquire(); lock.release(); lock.release();
          }));
          report("once more", outcome(() => lock.release()));
          report("try", outcome(() => [lock.acquire(false), lock.acquire(false), lock.acquire(true, 0)]));
          lock.release(); lock.release(); lock.release();`);
        assert.deepEqual(r.get("fresh"), { err: "RuntimeError" });
        assert.deepEqual(r.get("steps"), { ok: null });
        assert.deepEqual(r.get("once more"), { err: "RuntimeError" });
        assert.deepEqual(r.get("try"), { ok: [true, true, true] });
      });

      it("keeps other threads out until every level is released (recursion levels)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          lock.acquire(); lock.acquire(); lock.acquire();
          const seen = [];
          for (let level = 3; level > 0; level--) {
            seen.push([level, otherCanTake(lock)]);
            lock.release();
          }
          seen.push([0, otherCanTake(lock)]);
          report("seen", seen);
          report("extra", outcome(() => lock.release()));`);
        assert.deepEqual(r.get("seen"), [[3, false], [2, false], [1, false], [0, true]]);
        assert.deepEqual(r.get("extra"), { err: "RuntimeError" });
      });

      it("counts its levels in repr (test_recursion_count, through repr)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          const count = () => Number(/count=(\\d+)/.exec(String(lock))![1]);
          const counts = [count()];
          lock.acquire(); counts.push(count());
          lock.acquire(); lock.acquire(); counts.push(count());
          lock.release(); counts.push(count());
          lock.release(); lock.release(); counts.push(count());
          report("counts", counts);`);
        assert.deepEqual(r.get("counts"), [0, 1, 3, 2, 0]);
      });

      it("raises RuntimeError when a thread that does not own it releases it (test_different_thread)", async () => {
        const r = await cell(k, `
          const lock = new ${kind}();
          const acquired = new Event();
          const done = new Event();
          function f(lock: any, acquired: Event, done: Event) { lock.acquire(); acquired.set(); done.wait(); lock.release(); }
          const t = new Thread({ target: f, args: [lock, acquired, done] });
          t.start();
          acquired.wait();
          report("release", outcome(() => lock.release()));
          report("try", lock.acquire(false));
          done.set();
          t.join();
          report("afterOwnerReleased", lock.acquire(false));
          lock.release();`);
        assert.deepEqual(r.get("release"), { err: "RuntimeError" });
        assert.equal(r.get("try"), false);
        assert.equal(r.get("afterOwnerReleased"), true);
      });

      if (kind === "RLock") {
        it("locked() is true at every level, and false once fully released (test_locked)", async () => {
          const r = await cell(k, `
            const lock = new RLock();
            const seen = [lock.locked()];
            lock.acquire(); seen.push(lock.locked());
            lock.acquire(); seen.push(lock.locked());
            lock.release(); seen.push(lock.locked());
            lock.release(); seen.push(lock.locked());
            report("seen", seen);`);
          assert.deepEqual(r.get("seen"), [false, true, true, true, false]);
        });

        it("is locked for every thread when another thread holds it (test_locked_with_2threads)", async () => {
          const r = await cell(k, `
            const rlock = new RLock();
            report("main before", rlock.locked());
            inThread((l: RLock) => { report("thread before", l.locked()); l.acquire(); report("thread after", l.locked()); }, rlock);
            report("main after", rlock.locked());
            report("main try", rlock.acquire(false));`);
          assert.equal(r.get("main before"), false);
          assert.equal(r.get("thread before"), false);
          assert.equal(r.get("thread after"), true);
          assert.equal(r.get("main after"), true);
          assert.equal(r.get("main try"), false);
        });
      }
    });
  }
});
