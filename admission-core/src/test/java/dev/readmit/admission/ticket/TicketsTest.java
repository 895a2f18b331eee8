package dev.readmit.admission.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.admission.admitted.AllocationMeter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

final class TicketsTest {

    private static final long CLIENT = 0x0123_4567_89ab_cdefL;
    private static final Duration LIFETIME = Duration.ofMinutes(30);
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final MutableInstantSource wallClock = new MutableInstantSource(Instant.parse("2026-11-23T10:00:00Z"));
    private final byte[] secret = secret(1);
    private final TicketKeys keys = TicketKeys.of(secret);
    private final Tickets tickets = Tickets.create(keys, LIFETIME, wallClock);

    @Test
    void verifiesTheTicketItIssued() {
        String ticket = tickets.issue(CLIENT);
        assertThat(ticket).hasSize(Tickets.TICKET_CHARS);
        assertThat(ticket.chars()).allMatch(c -> ALPHABET.indexOf(c) >= 0);
        assertThat(tickets.verify(ticket)).isEqualTo(CLIENT);
        assertThat(tickets.verify(new StringBuilder(ticket))).isEqualTo(CLIENT);
    }

    @Test
    void verifiesOnAnotherInstanceThatSharesTheSecret() {
        String ticket = tickets.issue(CLIENT);
        Tickets restarted = Tickets.create(TicketKeys.of(secret(1)), LIFETIME, wallClock);
        assertThat(restarted.verify(ticket)).isEqualTo(CLIENT);
    }

    @Test
    void matchesTheDocumentedFormat() throws Exception {
        String ticket = tickets.issue(CLIENT);
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getUrlDecoder().decode(ticket));
        assertThat(bytes.remaining()).isEqualTo(61);
        assertThat(bytes.get()).isEqualTo((byte) 1);
        int keyId = bytes.getInt();
        assertThat(keyId).isEqualTo(keys.currentKeyId());
        assertThat(bytes.getLong()).isEqualTo(CLIENT);
        long admittedAt = bytes.getLong();
        assertThat(admittedAt).isEqualTo(wallClock.instant().getEpochSecond());
        assertThat(bytes.getLong()).isEqualTo(admittedAt + LIFETIME.toSeconds());
        byte[] mac = new byte[32];
        bytes.get(mac);

        // recomputed from the README's description, independently of the implementation
        byte[] macKey = hmac(secret, "readmit ticket mac key v1".getBytes(StandardCharsets.US_ASCII));
        byte[] signed = new byte[29];
        System.arraycopy(Base64.getUrlDecoder().decode(ticket), 0, signed, 0, 29);
        assertThat(mac).isEqualTo(hmac(macKey, signed));
        assertThat(keyId)
                .isEqualTo(ByteBuffer.wrap(hmac(secret, "readmit ticket key id v1".getBytes(StandardCharsets.US_ASCII)))
                        .getInt());
    }

    @Test
    void rejectsATicketWithAnyCharacterChanged() {
        String ticket = tickets.issue(CLIENT);
        assertThat(tickets.verify(ticket)).isEqualTo(CLIENT); // cached now: the cache must not accept look-alikes
        for (int i = 0; i < ticket.length(); i++) {
            for (int shift = 1; shift < ALPHABET.length(); shift += 13) {
                char replacement = ALPHABET.charAt((ALPHABET.indexOf(ticket.charAt(i)) + shift) % ALPHABET.length());
                String tampered = ticket.substring(0, i) + replacement + ticket.substring(i + 1);
                assertThat(tickets.verify(tampered))
                        .as("character %d changed to %s", i, replacement)
                        .isZero();
            }
        }
        assertThat(tickets.verify(ticket)).isEqualTo(CLIENT);
    }

    @Test
    void rejectsATicketWithAnyByteChanged() {
        byte[] genuine = Base64.getUrlDecoder().decode(tickets.issue(CLIENT));
        for (int i = 0; i < genuine.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] tampered = genuine.clone();
                tampered[i] ^= (byte) (1 << bit);
                String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);
                assertThat(tickets.verify(encoded)).as("byte %d bit %d", i, bit).isZero();
            }
        }
    }

    @Test
    void rejectsEveryTruncationAndExtension() {
        String ticket = tickets.issue(CLIENT);
        for (int length = 0; length < ticket.length(); length++) {
            assertThat(tickets.verify(ticket.substring(0, length)))
                    .as("length %d", length)
                    .isZero();
        }
        assertThat(tickets.verify(ticket + "A")).isZero();
        assertThat(tickets.verify(ticket + "=")).isZero();
    }

    @Test
    void rejectsANonCanonicalEncodingOfAGenuineTicket() {
        String ticket = tickets.issue(CLIENT);
        char last = ticket.charAt(ticket.length() - 1);
        char sameByteOtherPadding = ALPHABET.charAt(ALPHABET.indexOf(last) | 1);
        assertThat(sameByteOtherPadding).isNotEqualTo(last);
        assertThat(tickets.verify(ticket.substring(0, ticket.length() - 1) + sameByteOtherPadding))
                .isZero();
    }

    @Test
    void admitsUntilTheExpiryAndNotAfter() {
        String ticket = tickets.issue(CLIENT);
        wallClock.advance(LIFETIME.minusMillis(1));
        assertThat(tickets.verify(ticket)).isEqualTo(CLIENT);
        assertThat(tickets.isCached(ticket)).isTrue();
        wallClock.advance(Duration.ofMillis(1));
        assertThat(tickets.verify(ticket)).as("expired, although cached").isZero();
        Tickets uncached = Tickets.create(keys, LIFETIME, wallClock);
        assertThat(uncached.verify(ticket)).isZero();
    }

    @Test
    void rejectsATicketOfAForeignKey() {
        Tickets foreign = Tickets.create(TicketKeys.of(secret(2)), LIFETIME, wallClock);
        assertThat(tickets.verify(foreign.issue(CLIENT))).isZero();
    }

    @Test
    void rejectsAForgedTicketThatNamesOurKeyIdButIsSignedWithAnother() throws Exception {
        byte[] bytes = Base64.getUrlDecoder().decode(tickets.issue(CLIENT));
        ByteBuffer.wrap(bytes).putLong(5, 42L);
        byte[] forgedMac = hmac(secret(9), Arrays.copyOf(bytes, 29));
        System.arraycopy(forgedMac, 0, bytes, 29, 32);
        assertThat(tickets.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)))
                .isZero();
    }

    @Test
    void keepsVerifyingOldTicketsAfterARotationAndSignsWithTheNewKey() {
        String old = tickets.issue(CLIENT);
        int oldId = keys.currentKeyId();
        keys.rotate(secret(2));
        String fresh = tickets.issue(CLIENT);
        assertThat(keys.currentKeyId()).isNotEqualTo(oldId);
        assertThat(ByteBuffer.wrap(Base64.getUrlDecoder().decode(fresh)).getInt(1))
                .isEqualTo(keys.currentKeyId());
        assertThat(keys.keyIds()).containsExactly(keys.currentKeyId(), oldId);
        assertThat(tickets.verify(old)).isEqualTo(CLIENT);
        assertThat(tickets.verify(fresh)).isEqualTo(CLIENT);
        Tickets beforeRotation = Tickets.create(TicketKeys.of(secret(1)), LIFETIME, wallClock);
        assertThat(beforeRotation.verify(fresh))
                .as("an instance without the new key")
                .isZero();
    }

    @Test
    void stopsVerifyingTicketsOfADroppedKeyEvenWhenCached() {
        String old = tickets.issue(CLIENT);
        assertThat(tickets.verify(old)).isEqualTo(CLIENT);
        for (int i = 0; i < TicketKeys.MAX_PREVIOUS_KEYS; i++) {
            keys.rotate(secret(10 + i));
            assertThat(tickets.verify(old)).as("after rotation %d", i + 1).isEqualTo(CLIENT);
        }
        keys.rotate(secret(20));
        assertThat(keys.keyIds()).hasSize(TicketKeys.MAX_PREVIOUS_KEYS + 1);
        assertThat(tickets.verify(old)).isZero();
    }

    @Test
    void rejectsGarbageWithoutThrowing() {
        assertThat(tickets.verify(null)).isZero();
        assertThat(tickets.verify("")).isZero();
        assertThat(tickets.verify("A".repeat(82))).isZero();
        assertThat(tickets.verify("=".repeat(82))).isZero();
        assertThat(tickets.verify("é".repeat(82))).isZero();
        assertThat(tickets.verify("\uffff".repeat(82))).isZero();
        String standardAlphabet = tickets.issue(CLIENT).replace('-', '+').replace('_', '/');
        if (standardAlphabet.indexOf('+') >= 0 || standardAlphabet.indexOf('/') >= 0) {
            assertThat(tickets.verify(standardAlphabet)).isZero();
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder noise = new StringBuilder();
            int length = i % 2 == 0 ? 82 : random.nextInt(200);
            for (int c = 0; c < length; c++) {
                noise.append(i % 4 == 0 ? ALPHABET.charAt(random.nextInt(64)) : (char) random.nextInt(0x3000));
            }
            assertThat(tickets.verify(noise)).isZero();
        }
    }

    @Test
    void rejectsWithoutAllocatingBeforeTheMacAndWithOnlyTheJdkMacBufferAfter() {
        // The project runs on HotSpot, which counts allocations per thread: never skip the check.
        assertThat(AllocationMeter.supported())
                .as("per-thread allocation counter")
                .isTrue();
        String genuine = tickets.issue(CLIENT);
        String tampered = genuine.substring(0, 40) + (genuine.charAt(40) == 'A' ? 'B' : 'A') + genuine.substring(41);
        String foreignTicket =
                Tickets.create(TicketKeys.of(secret(2)), LIFETIME, wallClock).issue(CLIENT);
        String garbage = "!".repeat(Tickets.TICKET_CHARS);
        String truncated = genuine.substring(0, 50);
        long rejected = 0;
        long beforeMac = 0;
        long afterMac = 0;
        for (int round = 0; round < 2; round++) {
            long start = AllocationMeter.allocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                rejected += tickets.verify(foreignTicket) == 0 ? 1 : 0;
                rejected += tickets.verify(garbage) == 0 ? 1 : 0;
                rejected += tickets.verify(truncated) == 0 ? 1 : 0;
                rejected += tickets.verify(null) == 0 ? 1 : 0;
            }
            long middle = AllocationMeter.allocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                rejected += tickets.verify(tampered) == 0 ? 1 : 0;
            }
            beforeMac = middle - start;
            afterMac = AllocationMeter.allocatedBytes() - middle;
        }
        assertThat(rejected).isEqualTo(100_000);
        assertThat(beforeMac)
                .as("bytes allocated by 40,000 rejections before any MAC")
                .isLessThan(1_000);
        // Mac.doFinal(byte[], int) copies from a 32-byte array the JDK allocates: 48 bytes a call
        assertThat(afterMac / 10_000).as("bytes per rejection by MAC").isLessThanOrEqualTo(48);
    }

    @Test
    void verifiesACachedTicketWithoutAllocating() {
        // The project runs on HotSpot, which counts allocations per thread: never skip the check.
        assertThat(AllocationMeter.supported())
                .as("per-thread allocation counter")
                .isTrue();
        String ticket = tickets.issue(CLIENT);
        assertThat(tickets.verify(ticket)).isEqualTo(CLIENT);
        long before = AllocationMeter.allocatedBytes();
        long admitted = 0;
        for (int i = 0; i < 10_000; i++) {
            admitted += tickets.verify(ticket) == CLIENT ? 1 : 0;
        }
        assertThat(AllocationMeter.allocatedBytes() - before)
                .as("bytes allocated by 10,000 cached verifications")
                .isLessThan(1_000);
        assertThat(admitted).isEqualTo(10_000);
    }

    @Test
    void issuesAndVerifiesFromSeveralThreadsWhileTheKeyRotates() throws Exception {
        Tickets small = Tickets.create(keys, LIFETIME, wallClock, 64); // collisions: slots get replaced
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            long base = (t + 1L) << 32;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (long i = 1; i <= 3_000; i++) {
                    String ticket = small.issue(base + i);
                    if (small.verify(ticket) != base + i || small.verify(ticket) != base + i) {
                        failures.add("client " + (base + i));
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        keys.rotate(secret(2));
        keys.rotate(secret(3));
        for (Thread thread : threads) {
            thread.join(60_000);
            assertThat(thread.isAlive()).isFalse();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void remembersAVerifiedTicket() {
        String ticket = tickets.issue(CLIENT);
        assertThat(tickets.isCached(ticket)).isFalse();
        assertThat(tickets.verify(ticket)).isEqualTo(CLIENT);
        assertThat(tickets.isCached(ticket)).isTrue();
        assertThat(tickets.verify(new StringBuilder(ticket))).isEqualTo(CLIENT);
    }

    @Test
    void doesNotCacheWhatItRejects() {
        String ticket = tickets.issue(CLIENT);
        String tampered = ticket.substring(0, 10) + (ticket.charAt(10) == 'A' ? 'B' : 'A') + ticket.substring(11);
        assertThat(tickets.verify(tampered)).isZero();
        assertThat(tickets.isCached(tampered)).isFalse();
    }

    @Test
    void refusesShortOrRepeatedSecretsAndBadSettings() {
        assertThatThrownBy(() -> TicketKeys.of(new byte[31]))
                .hasMessageContaining("currentSecret must be at least 32 bytes, got 31");
        assertThatThrownBy(() -> TicketKeys.of(secret(1), List.of(secret(1))))
                .hasMessageContaining("already in the ring");
        assertThatThrownBy(() -> keys.rotate(secret(1))).hasMessageContaining("already in the ring");
        assertThatThrownBy(() -> Tickets.create(keys, Duration.ofMillis(999), wallClock))
                .hasMessageContaining("ticketLifetime");
        assertThatThrownBy(() -> Tickets.create(keys, LIFETIME, wallClock, 1000))
                .hasMessageContaining("cacheSlots");
        assertThatThrownBy(() -> tickets.issue(0)).hasMessageContaining("clientHash 0");
    }

    @Test
    void generatesDistinctRandomKeys() {
        TicketKeys a = TicketKeys.generate();
        TicketKeys b = TicketKeys.generate();
        assertThat(a.currentKeyId()).isNotEqualTo(b.currentKeyId());
        Tickets other = Tickets.create(b, LIFETIME, wallClock);
        assertThat(other.verify(Tickets.create(a, LIFETIME, wallClock).issue(CLIENT)))
                .isZero();
    }

    private static byte[] secret(int seed) {
        byte[] bytes = new byte[32];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] hmac(byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message);
    }
}
