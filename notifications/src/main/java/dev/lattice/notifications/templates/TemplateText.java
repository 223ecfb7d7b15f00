package dev.lattice.notifications.templates;

/**
 * The text of one template: what is stored, what a delivery renders.
 *
 * @param subject subject or title; empty for SMS
 * @param body the body
 * @param version the stored version, or 0 for a default shipped with the service
 */
public record TemplateText(String subject, String body, long version) {}
