package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class CidrTest {

    @Test
    void containsAddressesInsideThePrefixOnly() {
        Cidr net = Cidr.parse("10.32.0.0/11");

        assertThat(net.contains(Cidr.parseAddress("10.63.255.255"))).isTrue();
        assertThat(net.contains(Cidr.parseAddress("10.32.0.0"))).isTrue();
        assertThat(net.contains(Cidr.parseAddress("10.64.0.0"))).isFalse();
        assertThat(net.contains(Cidr.parseAddress("10.31.255.255"))).isFalse();
    }

    @Test
    void aBareAddressIsThatAddressOnly() {
        Cidr one = Cidr.parse("192.168.1.1");

        assertThat(one.contains(Cidr.parseAddress("192.168.1.1"))).isTrue();
        assertThat(one.contains(Cidr.parseAddress("192.168.1.2"))).isFalse();
    }

    @Test
    void handlesIpv6AndMappedIpv4() {
        assertThat(Cidr.parse("fd00::/8").contains(Cidr.parseAddress("fdab::1")))
                .isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(Cidr.parseAddress("fe80::1")))
                .isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parseAddress("::ffff:10.1.2.3")))
                .isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parseAddress("[::1]")))
                .isFalse();
    }

    @Test
    void refusesNamesAndBadPrefixes() {
        assertThatThrownBy(() -> Cidr.parse("proxy.internal")).hasMessageContaining("CIDR");
        assertThatThrownBy(() -> Cidr.parse("::1/129")).hasMessageContaining("between 0 and 128");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("between 0 and 32");
        assertThat(Cidr.parseAddress("example.com")).isNull();
    }
}
