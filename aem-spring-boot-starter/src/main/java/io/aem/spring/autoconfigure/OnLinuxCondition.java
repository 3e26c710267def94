package io.aem.spring.autoconfigure;

import io.aem.linux.sys.Platform;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the JVM runs on Linux, the only kernel AEM's event sources exist on. Elsewhere
 * the auto-configuration backs off without touching native code, and the conditions report says
 * why.
 */
class OnLinuxCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("Linux kernel");
        String os = System.getProperty("os.name", "unknown");
        if (Platform.isLinux()) {
            return ConditionOutcome.match(message.foundExactly("operating system " + os));
        }
        return ConditionOutcome.noMatch(message.because("operating system is " + os
                + "; AEM needs Linux (epoll, eventfd, timerfd)"));
    }
}
