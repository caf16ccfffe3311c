/**
 * The matchers and mailets shipped with Postlet, named in pipelines by their simple names
 * through {@link org.postlet.mailets.StandardComponents}.
 */
package org.postlet.mailets;
