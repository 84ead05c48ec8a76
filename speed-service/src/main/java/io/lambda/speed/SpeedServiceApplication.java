package io.lambda.speed;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The speed layer: keeps realtime cells of what the published batch version has not absorbed yet. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class SpeedServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(SpeedServiceApplication.class, args);
    }
}
