package io.omnisql.exec;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Permits handed out fairly across keys (principals): waiters queue per key and a freed permit goes to the
 * next key in round-robin order, so one key with many waiters cannot make another key's single waiter wait
 * behind all of them. Within a key, first come first served. The capacity can change while permits are out
 * (the excess drains as they return), and a permit may be {@link #force forced} past it.
 */
public final class FairPermits {
    private final ReentrantLock lock = new ReentrantLock();
    /** Keys with waiters, in round-robin order: the head key is served next, then moves to the end. */
    private final LinkedHashMap<String, ArrayDeque<Waiter>> waiting = new LinkedHashMap<>();
    private int capacity;
    private int inUse;
    private int queued;

    private final class Waiter {
        final Condition granted = lock.newCondition();
        boolean done;
    }

    public FairPermits(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Takes a permit for {@code key}, waiting up to {@code timeoutNanos}.
     *
     * @return true once granted, false on timeout (nothing held)
     * @throws InterruptedException when interrupted while waiting (nothing held)
     */
    public boolean acquire(String key, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            if (waiting.isEmpty() && inUse < capacity) {
                inUse++;
                return true;
            }
            Waiter w = new Waiter();
            waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(w);
            queued++;
            long left = timeoutNanos;
            try {
                while (!w.done) {
                    if (left <= 0) {
                        break;
                    }
                    left = w.granted.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                if (!w.done) {
                    forget(key, w);
                    throw e;
                }
                Thread.currentThread().interrupt(); // granted meanwhile: keep it, keep the interrupt
                return true;
            }
            if (!w.done) {
                forget(key, w);
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes a permit without waiting, when {@code inUse} is below {@code limit} (which may exceed the capacity). */
    public boolean force(int limit) {
        lock.lock();
        try {
            if (inUse >= limit) {
                return false;
            }
            inUse++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    public void release() {
        lock.lock();
        try {
            inUse--;
            grant();
        } finally {
            lock.unlock();
        }
    }

    public void resize(int next) {
        lock.lock();
        try {
            capacity = next;
            grant();
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        lock.lock();
        try {
            return capacity;
        } finally {
            lock.unlock();
        }
    }

    public int inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    public int queued() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /** Hands free permits to waiters, one key at a time in round-robin order. */
    private void grant() {
        while (inUse < capacity && !waiting.isEmpty()) {
            Iterator<Map.Entry<String, ArrayDeque<Waiter>>> head = waiting.entrySet().iterator();
            Map.Entry<String, ArrayDeque<Waiter>> next = head.next();
            ArrayDeque<Waiter> line = next.getValue();
            Waiter w = line.pollFirst();
            head.remove();
            if (!line.isEmpty()) {
                waiting.put(next.getKey(), line); // to the back of the round
            }
            queued--;
            inUse++;
            w.done = true;
            w.granted.signal();
        }
    }

    private void forget(String key, Waiter w) {
        ArrayDeque<Waiter> line = waiting.get(key);
        if (line != null && line.remove(w)) {
            queued--;
            if (line.isEmpty()) {
                waiting.remove(key);
            }
        }
    }
}
