package dev.inflight.operator;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/** Switches logging to the operator's configuration: structured JSON lines (or text) on stdout. */
final class Logging {
  private Logging() {}

  static void configure(String format) throws JoranException {
    URL config =
        Logging.class.getResource(
            "json".equals(format) ? "/logback-operator-json.xml" : "/logback-operator-text.xml");
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    JoranConfigurator j = new JoranConfigurator();
    j.setContext(ctx);
    j.doConfigure(config);
  }
}
