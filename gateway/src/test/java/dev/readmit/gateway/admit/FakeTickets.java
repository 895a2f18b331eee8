package dev.readmit.gateway.admit;

import java.util.concurrent.atomic.AtomicInteger;

/** Tickets {@code t.KEY}: valid when they start with {@code t.}; the client hash is KEY's hash, never 0. */
final class FakeTickets implements TicketCodec {

    final AtomicInteger issued = new AtomicInteger();

    @Override
    public String issue(CharSequence clientKey) {
        issued.incrementAndGet();
        return "t." + clientKey;
    }

    @Override
    public long verify(CharSequence ticket) {
        String text = ticket.toString();
        return text.startsWith("t.") ? hash(text.substring(2)) : 0L;
    }

    static long hash(String key) {
        return 0x1_0000_0000L | (key.hashCode() & 0xffff_ffffL);
    }
}
