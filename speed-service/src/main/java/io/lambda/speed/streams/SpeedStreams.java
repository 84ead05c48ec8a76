package io.lambda.speed.streams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The Kafka Streams instance of engine {@code streams}, started and stopped with the application. It
 * starts once the events topic exists (ingest creates it, with {@code LogAppendTime}; this service must
 * not create it with other settings), so the service can come up before ingest. A stream thread that
 * dies of an unexpected error is replaced; its task restarts from the last commit.
 */
public final class SpeedStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SpeedStreams.class);

    private final Topology topology;
    private final java.util.function.Supplier<Properties> config;
    private final String topic;
    private volatile HostInfo hostInfo = HostInfo.unavailable();
    private volatile Properties startedWith = new Properties();
    private final MeterRegistry meters;
    private KafkaStreamsMetrics metrics;
    private final AtomicReference<KafkaStreams> streams = new AtomicReference<>();
    private volatile Thread starter;
    private volatile boolean running;

    /**
     * @param config the Streams configuration, built when the instance starts (after the web server, so
     *               that {@code application.server} carries the port it actually listens on)
     */
    public SpeedStreams(Topology topology, java.util.function.Supplier<Properties> config, String topic,
                        MeterRegistry meters) {
        this.topology = topology;
        this.config = config;
        this.topic = topic;
        this.meters = meters;
    }

    /** The running instance, or empty before the events topic exists or after stop. */
    public java.util.Optional<KafkaStreams> streams() {
        return java.util.Optional.ofNullable(streams.get());
    }

    /** Kafka Streams' state, {@code CREATED} while waiting for the events topic. */
    public KafkaStreams.State state() {
        KafkaStreams current = streams.get();
        return current == null ? KafkaStreams.State.CREATED : current.state();
    }

    @Override
    public void start() {
        running = true;
        Thread thread = new Thread(this::startWhenTopicExists, "speed-streams-start");
        thread.setDaemon(true);
        starter = thread;
        thread.start();
    }

    /** This instance as other instances reach it ({@code application.server}). */
    public HostInfo hostInfo() {
        return hostInfo;
    }

    private void startWhenTopicExists() {
        Properties properties = config.get();
        startedWith = properties;
        hostInfo = HostInfo.buildFromEndpoint(properties.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                properties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)))) {
            boolean logged = false;
            while (running) {
                try {
                    admin.describeTopics(List.of(topic)).allTopicNames().get();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!logged) {
                        log.info("Waiting for the events topic {} before starting Kafka Streams: {}", topic,
                                e.getCause().getMessage());
                        logged = true;
                    }
                    Thread.sleep(1000); // polling for the topic on this start-up thread only
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (!running) {
                return;
            }
            KafkaStreams instance = new KafkaStreams(topology, properties);
            instance.setUncaughtExceptionHandler(e -> {
                log.error("A speed stream thread failed; replacing it (its tasks restart from their last commit)", e);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            instance.setStateListener((now, before) -> log.info("Kafka Streams {} -> {}", before, now));
            streams.set(instance);
            // Kafka Streams' and its clients' metrics (kafka.stream.*, kafka.consumer.* with records-lag per partition)
            metrics = new KafkaStreamsMetrics(instance);
            metrics.bindTo(meters);
            instance.start();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread thread = starter;
        if (thread != null) {
            thread.interrupt();
        }
        KafkaStreams instance = streams.getAndSet(null);
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        if (instance != null) {
            // A static member (group.instance.id) stays in the group so that its restart within the session
            // timeout gets the same partitions back without a rebalance; a dynamic one leaves at once, so
            // that its partitions move now rather than after the session timeout.
            boolean staticMember = startedWith.stringPropertyNames().stream()
                    .anyMatch(name -> name.endsWith(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
            instance.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(!staticMember));
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
