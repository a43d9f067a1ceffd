"""Portal strings of each product area; merged by gateway.portal.i18n."""
