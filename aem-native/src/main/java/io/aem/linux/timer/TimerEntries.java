package io.aem.linux.timer;

import java.util.Arrays;

/**
 * The storage of a {@link TimerWheel}: one entry per timer, kept as parallel primitive arrays
 * in pages of {@value #PAGE_SIZE} entries, so a pending timer costs 24 bytes of heap (deadline
 * 8, two links 4 + 4, payload reference 4 with compressed oops, generation 4) and no object.
 *
 * <p>An entry is named by its index; the handle given out is {@code generation << 32 | index}
 * and the generation changes each time the entry is freed, so a stale handle never reaches a
 * later timer. Entries {@code 0 .. reserved-1} are list heads (sentinels) that live in page 0,
 * which is never released. A page whose entries are all free is released at once (its
 * generations are carried over to the page that later replaces it), so cancelled or fired
 * timers leave no memory behind; while any timer is live one released page is kept as a spare,
 * so a count that goes up and down across a page boundary does not allocate each time.
 *
 * <p>Allocation takes the lowest page with a free entry, which keeps live entries packed in low
 * pages and lets high pages empty out. Not thread-safe: the owning loop thread only.
 */
final class TimerEntries {
    static final int PAGE_SHIFT = 12;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_SIZE - 1;

    /** {@code prev} of a free entry. */
    static final int FREE = -1;
    /** {@code prev} of an entry handed to its expiry callback, unlinked from every list. */
    static final int DETACHED = -2;
    /** {@code prev} of a detached entry cancelled during its callback. */
    static final int CANCELLED = -3;

    private final int reserved;
    private long[][] when = new long[1][];
    private int[][] next = new int[1][];
    private int[][] prev = new int[1][];
    private Object[][] payload = new Object[1][];
    private int[][] generation = new int[1][];
    /** Per page: live entries, head of its free list ({@code -1} if none), entries ever handed out. */
    private int[] live = new int[1];
    private int[] freeHead = new int[1];
    private int[] top = new int[1];
    /** Per page: the generation a re-created page starts from, so released handles stay stale. */
    private int[] generationFloor = new int[1];
    /** Lowest page that may have a free entry. */
    private int allocPage;
    private int livePages;
    private Page spare;
    private int size;

    /** The arrays of one released page, kept to be reused. */
    private record Page(long[] when, int[] next, int[] prev, Object[] payload, int[] generation) {
    }

    /**
     * @param reserved how many entries at the start of page 0 are list heads; at most a page
     */
    TimerEntries(int reserved) {
        if (reserved < 0 || reserved >= PAGE_SIZE) {
            throw new IllegalArgumentException("reserved entries must fit in one page: " + reserved);
        }
        this.reserved = reserved;
        createPage(0);
        top[0] = reserved;
    }

    /** Live timers (entries given out and not yet freed), the list heads excluded. */
    int size() {
        return size;
    }

    /** Pages holding arrays, page 0 included. */
    int pages() {
        return livePages;
    }

    /** Entries allocated, in pages (page 0 included), the spare excluded. */
    long capacity() {
        return (long) livePages * PAGE_SIZE;
    }

    /** Takes a free entry; its links are unset (the caller links it), its payload is null, its generation is current. */
    int allocate() {
        int page = allocPage;
        int offset;
        int free = page < freeHead.length ? freeHead[page] : -1;
        if (free >= 0) {
            offset = free;
            freeHead[page] = next[page][offset];
        } else if (page < top.length && when[page] != null && top[page] < PAGE_SIZE) {
            offset = top[page]++;
        } else {
            page = pageWithRoom();
            if (freeHead[page] >= 0) {
                offset = freeHead[page];
                freeHead[page] = next[page][offset];
            } else {
                offset = top[page]++;
            }
        }
        live[page]++;
        size++;
        return (page << PAGE_SHIFT) | offset;
    }

    /** Moves {@code allocPage} to the lowest page with a free entry, creating it if needed. */
    private int pageWithRoom() {
        int pages = live.length;
        while (allocPage < pages && !hasRoom(allocPage)) {
            allocPage++;
        }
        int page = allocPage;
        if (page == pages) {
            grow();
        }
        if (when[page] == null) {
            createPage(page);
        }
        return page;
    }

    /** Frees a live entry: the generation moves on and the payload is dropped at once. */
    void free(int index) {
        int page = index >>> PAGE_SHIFT;
        int offset = index & PAGE_MASK;
        generation[page][offset]++;
        payload[page][offset] = null;
        prev[page][offset] = FREE;
        next[page][offset] = freeHead[page];
        freeHead[page] = offset;
        size--;
        if (--live[page] == 0 && page != 0) {
            releasePage(page);
        }
        if (size == 0) {
            spare = null;
        }
        if (page < allocPage) {
            allocPage = page;
        }
    }

    /** The handle of a live entry. */
    long handle(int index) {
        return ((long) generation(index) << 32) | (index & 0xFFFF_FFFFL);
    }

    /**
     * The live entry a handle names, or {@code -1} when the handle is stale, malformed, names a
     * list head, or its timer was freed.
     */
    int resolve(long handle) {
        int index = (int) handle;
        if (index < reserved) {
            return -1;
        }
        int page = index >>> PAGE_SHIFT;
        if (page >= live.length || when[page] == null) {
            return -1;
        }
        int offset = index & PAGE_MASK;
        if (offset >= top[page] || generation[page][offset] != (int) (handle >>> 32)
                || prev[page][offset] == FREE) {
            return -1;
        }
        return index;
    }

    long when(int i) {
        return when[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    void when(int i, long value) {
        when[i >>> PAGE_SHIFT][i & PAGE_MASK] = value;
    }

    int next(int i) {
        return next[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    void next(int i, int value) {
        next[i >>> PAGE_SHIFT][i & PAGE_MASK] = value;
    }

    int prev(int i) {
        return prev[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    void prev(int i, int value) {
        prev[i >>> PAGE_SHIFT][i & PAGE_MASK] = value;
    }

    Object payload(int i) {
        return payload[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    void payload(int i, Object value) {
        payload[i >>> PAGE_SHIFT][i & PAGE_MASK] = value;
    }

    int generation(int i) {
        return generation[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    /** Frees every live entry (the list heads stay) and releases every page but page 0. */
    void clear() {
        for (int page = live.length - 1; page >= 0; page--) {
            if (when[page] == null) {
                continue;
            }
            int first = page == 0 ? reserved : 0;
            for (int offset = first; offset < top[page]; offset++) {
                if (prev[page][offset] != FREE) {
                    free((page << PAGE_SHIFT) | offset);
                }
            }
        }
        spare = null;
    }

    private boolean hasRoom(int page) {
        return when[page] == null || freeHead[page] >= 0 || top[page] < PAGE_SIZE;
    }

    private void grow() {
        int n = Math.max(4, live.length * 2);
        when = Arrays.copyOf(when, n);
        next = Arrays.copyOf(next, n);
        prev = Arrays.copyOf(prev, n);
        payload = Arrays.copyOf(payload, n);
        generation = Arrays.copyOf(generation, n);
        live = Arrays.copyOf(live, n);
        freeHead = Arrays.copyOf(freeHead, n);
        top = Arrays.copyOf(top, n);
        generationFloor = Arrays.copyOf(generationFloor, n);
    }

    private void createPage(int page) {
        Page p = spare;
        spare = null;
        if (p == null) {
            p = new Page(new long[PAGE_SIZE], new int[PAGE_SIZE], new int[PAGE_SIZE], new Object[PAGE_SIZE],
                    new int[PAGE_SIZE]);
        }
        Arrays.fill(p.generation(), generationFloor[page]);
        when[page] = p.when();
        next[page] = p.next();
        prev[page] = p.prev();
        payload[page] = p.payload();
        generation[page] = p.generation();
        freeHead[page] = -1;
        top[page] = 0;
        live[page] = 0;
        livePages++;
    }

    private void releasePage(int page) {
        int[] gens = generation[page];
        int floor = generationFloor[page];
        for (int offset = 0; offset < top[page]; offset++) {
            if (gens[offset] - floor > 0) {
                floor = gens[offset];
            }
        }
        generationFloor[page] = floor + 1;
        if (spare == null) {
            spare = new Page(when[page], next[page], prev[page], payload[page], gens);
        }
        when[page] = null;
        next[page] = null;
        prev[page] = null;
        payload[page] = null;
        generation[page] = null;
        freeHead[page] = -1;
        top[page] = 0;
        livePages--;
    }
}
