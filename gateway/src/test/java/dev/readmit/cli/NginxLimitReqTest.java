package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class NginxLimitReqTest {

    @Test
    void configurationLimitsEveryRequestAtTheRateAndRejectsTheRestWith429() {
        String conf = NginxLimitReq.config(Path.of("/tmp/x"), 8081, 9090, 2000, 32, 2, true);

        assertThat(conf)
                .contains("limit_req_zone $server_name zone=storm:1m rate=2000r/s;")
                .contains("limit_req zone=storm burst=32 nodelay;")
                .contains("limit_req_status 429;")
                .contains("listen 127.0.0.1:8081")
                .contains("server 127.0.0.1:9090;")
                .contains("pid /tmp/x/nginx.pid;")
                .contains("worker_processes 2;")
                .contains("user root;")
                .contains("daemon off;");
        assertThat(NginxLimitReq.config(Path.of("/tmp/x"), 1, 2, 3, 4, 1, false))
                .doesNotContain("user root");
    }

    @Test
    void aFreePortIsOnLoopbackRange() throws Exception {
        assertThat(NginxLimitReq.freePort()).isBetween(1, 65535);
    }
}
