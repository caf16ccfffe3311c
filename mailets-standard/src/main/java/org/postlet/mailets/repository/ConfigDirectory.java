package org.postlet.mailets.repository;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import jakarta.inject.Qualifier;

/** Marks the injected {@link Path} of the configuration folder, which relative paths resolve against. */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface ConfigDirectory {
}
