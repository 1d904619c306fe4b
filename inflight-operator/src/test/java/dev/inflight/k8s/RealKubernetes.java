package dev.inflight.k8s;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class of the real Kubernetes tier: it gets a {@link Cluster} parameter (one real
 * kube-apiserver for the whole run) and runs in Maven's {@code kube-apiserver} Surefire execution,
 * not with the fast tier.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kube-apiserver")
@ExtendWith(KubeApiServerExtension.class)
public @interface RealKubernetes {}
