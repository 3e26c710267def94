package io.aem.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.aem.linux.event.TimerTick;
import io.aem.linux.fs.FileEvent;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.spring.autoconfigure.AemAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Misdeclared handler methods fail the start-up naming the method and the remedy.
 */
@ExtendWith(FdLeakCheck.class)
class AemListenerDeclarationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AemAutoConfiguration.class))
            .withPropertyValues("aem.sources.timer.tick.period=1s");

    @Test
    void unknownSourceNamesTheDeclaredOnes() {
        runner.withBean(UnknownSource.class).run(context -> assertThat(context.getStartupFailure())
                .isInstanceOf(BeanInitializationException.class)
                .hasMessageContaining("UnknownSource.onTick").hasMessageContaining("No AEM source named 'ticks'")
                .hasMessageContaining("[tick]"));
    }

    @Test
    void sourceOfAnotherFamilyIsRefused() {
        runner.withBean(WrongFamily.class).run(context -> assertThat(context.getStartupFailure())
                .isInstanceOf(BeanInitializationException.class)
                .hasMessageContaining("WrongFamily.onFile").hasMessageContaining("is a timer source, not a watch source"));
    }

    @Test
    void parameterTypeTheSourceNeverEmitsIsRefused() {
        runner.withBean(WrongParameter.class).run(context -> assertThat(context.getStartupFailure())
                .isInstanceOf(BeanInitializationException.class)
                .hasMessageContaining("WrongParameter.onTick").hasMessageContaining("cannot take"));
    }

    @Test
    void handlerWithoutSourceOrInlineAttributesIsRefused() {
        runner.withBean(NoSource.class).run(context -> assertThat(context.getStartupFailure())
                .isInstanceOf(BeanInitializationException.class)
                .hasMessageContaining("NoSource.onTick").hasMessageContaining("(period)"));
    }

    @Test
    void badInlineDurationNamesTheAttribute() {
        runner.withBean(BadPeriod.class).run(context -> assertThat(context.getStartupFailure())
                .isInstanceOf(BeanInitializationException.class)
                .hasMessageContaining("BadPeriod.onTick").hasMessageContaining("period 'soon' is not a duration"));
    }

    @Test
    void schedulerNamesParseInAnyCaseWithDashOrUnderscore() {
        assertThat(AemHandlerScheduler.parse("loop")).isEqualTo(AemHandlerScheduler.LOOP);
        assertThat(AemHandlerScheduler.parse("Bounded-Elastic")).isEqualTo(AemHandlerScheduler.BOUNDED_ELASTIC);
        assertThat(AemHandlerScheduler.parse("PARALLEL")).isEqualTo(AemHandlerScheduler.PARALLEL);
        assertThatIllegalArgumentException().isThrownBy(() -> AemHandlerScheduler.parse("elastic"))
                .withMessageContaining("loop, bounded-elastic or parallel");
    }

    static class UnknownSource {
        @AemTimerListener(source = "ticks")
        void onTick(TimerTick tick) {
        }
    }

    static class WrongFamily {
        @AemWatchListener(source = "tick")
        void onFile(FileEvent event) {
        }
    }

    static class WrongParameter {
        @AemTimerListener(source = "tick")
        void onTick(FileEvent event) {
        }
    }

    static class NoSource {
        @AemTimerListener
        void onTick(TimerTick tick) {
        }
    }

    static class BadPeriod {
        @AemTimerListener(period = "soon")
        void onTick(TimerTick tick) {
        }
    }
}
