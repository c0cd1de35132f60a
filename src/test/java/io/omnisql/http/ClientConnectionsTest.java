package io.omnisql.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kernel's TCP table tells an open client connection from one its client has closed. */
class ClientConnectionsTest {

    @Test
    void aConnectionIsOpenUntilItsClientClosesItThenTheWatchFires() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            try (Socket server = listener.accept()) {
                int local = server.getLocalPort();
                int remote = server.getPort();
                assertThat(ClientConnections.state(local, remote)).isEqualTo(ClientConnections.State.OPEN);
                CountDownLatch fired = new CountDownLatch(1);
                try (ClientConnections.Watch watch = new ClientConnections(20).watch(local, remote, fired::countDown)) {
                    Thread.sleep(100);
                    assertThat(fired.getCount()).as("no alarm while the client is connected").isEqualTo(1);
                    client.close();
                    assertThat(fired.await(10, TimeUnit.SECONDS)).as("the watch saw the client go").isTrue();
                }
                assertThat(ClientConnections.state(local, remote)).isEqualTo(ClientConnections.State.GONE);
            }
        }
    }

    @Test
    void aClientThatLeftBeforeTheFirstPassIsStillNoticed() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            try (Socket server = listener.accept()) {
                CountDownLatch fired = new CountDownLatch(1);
                // A long period: the client is gone (CLOSE_WAIT here) before the scanner ever saw it ESTABLISHED.
                try (ClientConnections.Watch watch = new ClientConnections(300).watch(server.getLocalPort(), server.getPort(),
                        fired::countDown)) {
                    client.close();
                    assertThat(fired.await(10, TimeUnit.SECONDS)).as("the watch saw the client go").isTrue();
                }
            }
        }
    }

    @Test
    void aConnectionNeverSeenOpenIsNeverReportedClosed() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (ClientConnections.Watch watch = new ClientConnections(20).watch(1, 2, fired::countDown)) {
            assertThat(fired.await(300, TimeUnit.MILLISECONDS)).isFalse();
        }
    }
}
